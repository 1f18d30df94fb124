package dev.tally.testkit.examples;

import dev.tally.testkit.TallyServerExtension;
import dev.tally.testkit.TallyServerExtension.ServerProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

import static dev.tally.testkit.TallyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Example: an application that sends its analytics over HTTP, tested against the real Tally server on a random
 * port — the Snowplow Micro use case without a container, without polling and without counting. The server and its
 * engine start once for the class; each test gets a fresh project and keys, so tests cannot see each other's
 * events. Inspect through the public routes ({@code GET /v1/events/{id}}, {@code /v1/events/rejected},
 * {@code /v1/metrics/...}) or through Java ({@code assertThat(TALLY.tally())}).
 */
class ServerExtensionExampleTest {

    @RegisterExtension
    static final TallyServerExtension TALLY = TallyServerExtension.local().schemas("schemas/").metrics("metrics/");

    /** The application under test: it knows only a base URL and a key. */
    static final class CheckoutApp {
        private final HttpClient http = HttpClient.newHttpClient();
        private final String baseUrl;
        private final String key;

        CheckoutApp(String baseUrl, String key) {
            this.baseUrl = baseUrl;
            this.key = key;
        }

        void checkout(String orderId, String user, Double amount, Instant at) throws IOException, InterruptedException {
            String properties = "\"productId\":\"sku-1\",\"currency\":\"USD\""
                    + (amount == null ? "" : ",\"amount\":" + amount);
            String body = "{\"eventId\":\"" + orderId + "\",\"eventType\":\"purchase\",\"userId\":\"" + user + "\","
                    + "\"timestamp\":\"" + at + "\",\"properties\":{" + properties + "},"
                    + "\"context\":{\"country\":\"US\",\"device\":\"mobile\"}}";
            http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    @Test
    void theAppTracksEveryCheckoutOnce(ServerProject project) throws Exception {
        CheckoutApp app = new CheckoutApp(project.baseUrl(), project.ingestKey());
        Instant now = TALLY.clock().instant();

        app.checkout("order-1", "alice", 25.0, now);
        app.checkout("order-1", "alice", 25.0, now);            // the app retries: counted once
        app.checkout("order-2", "bob", 10.0, now);

        // Through the public routes, as the app's team would look:
        assertThat(project.event("order-1").json().path("status").asString()).isEqualTo("duplicate");
        assertThat(project.metric("revenue", "groupBy=country").json().path("points").get(0).path("value").asDouble())
                .isEqualTo(35.0);
        // Or through Java, with the testkit's assertions:
        assertThat(TALLY.tally()).project(project.projectId()).event("order-2").isAccepted()
                .hasStoredProperty("amount", 10.0);
    }

    @Test
    void aBrokenCheckoutEventIsRejectedWithTheReason(ServerProject project) throws Exception {
        new CheckoutApp(project.baseUrl(), project.ingestKey()).checkout("order-3", "carol", null, TALLY.clock().instant());

        var rejected = project.rejectedEvents().json().path("events");
        assertThat(rejected.size()).isEqualTo(1);                 // this test's project only
        assertThat(rejected.get(0).path("errors").get(0).path("path").asString()).isEqualTo("properties.amount");
        assertThat(TALLY.tally()).project(project.projectId()).event("order-3").isRejected()
                .hasViolation("properties.amount", "required");
    }
}
