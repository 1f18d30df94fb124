package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.testkit.TallyServerExtension.ServerProject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TallyServerExtensionTest {

    static String event(String id, Instant at) {
        return "{\"eventId\":\"" + id + "\",\"eventType\":\"click\",\"userId\":\"u1\",\"timestamp\":\"" + at + "\"}";
    }

    @Nested
    @Execution(ExecutionMode.CONCURRENT)
    class SharedServer {
        @RegisterExtension
        static final TallyServerExtension SERVER = TallyServerExtension.local();
        static final Set<String> PROJECTS = Collections.synchronizedSet(new HashSet<>());
        static final Set<Tally> ENGINES = Collections.synchronizedSet(Collections.newSetFromMap(
                new java.util.IdentityHashMap<>()));

        @RepeatedTest(4)
        void eachTestHasItsOwnProjectOnOneServer_andSeesOnlyItsEvents(ServerProject project, Tally tally) {
            assertThat(PROJECTS.add(project.projectId())).isTrue();
            ENGINES.add(tally);
            assertThat(ENGINES).hasSize(1);
            assertThat(project.post("/v1/events", event("e-1", SERVER.clock().instant())).status()).isEqualTo(202);
            assertThat(project.event("e-1").json().path("status").asString()).isEqualTo("accepted");
            assertThat(project.metric("event_count", null).json().path("points").get(0).path("value").asDouble())
                    .isEqualTo(1.0);
        }

        @Test
        void keysAreRoleChecked_andTheServerAdminKeyOnlyCreatesProjects(ServerProject project) throws Exception {
            assertThat(project.baseUrl()).startsWith("http://127.0.0.1:").isEqualTo(SERVER.baseUrl());
            assertThat(SERVER.port()).isPositive();
            HttpResponse<String> withQueryKey = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(SERVER.baseUrl() + "/v1/events")).header("Authorization", "Bearer " + project.queryKey())
                    .POST(HttpRequest.BodyPublishers.ofString(event("q", SERVER.clock().instant()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withQueryKey.statusCode()).as("the query key cannot ingest").isEqualTo(403);
            var r = project.get("/v1/events/nope");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().path("error").path("code").asString()).isEqualTo("not_found");
            assertThat(SERVER.serverAdminKey()).isNotBlank().isNotEqualTo(project.adminKey());
        }

        @Test
        void resetGivesAFreshProjectWithinATest(ServerProject project) {
            project.post("/v1/events", event("before", SERVER.clock().instant()));
            ServerProject fresh = SERVER.reset();
            assertThat(fresh.projectId()).isNotEqualTo(project.projectId());
            assertThat(fresh.event("before").status()).isEqualTo(404);
            assertThat(project.event("before").status()).isEqualTo(200);
        }
    }

    @Nested
    class ServerPerTest {
        @RegisterExtension
        final TallyServerExtension server = TallyServerExtension.local()
                .withClockAt(Instant.parse("2024-03-01T12:00:00Z")).schemas("schemas/purchase.json");
        static final Set<String> URLS = Collections.synchronizedSet(new HashSet<>());

        @RepeatedTest(2)
        void anInstanceFieldStartsAServerPerTest_withTheTrackingPlanAndClock(ServerProject project, TestClock clock) {
            assertThat(URLS.add(server.baseUrl())).isTrue();
            assertThat(clock.instant()).isEqualTo(Instant.parse("2024-03-01T12:00:00Z"));
            var bad = project.post("/v1/events", "{\"eventId\":\"p1\",\"eventType\":\"purchase\",\"timestamp\":\""
                    + clock.instant() + "\",\"properties\":{\"productId\":\"x\",\"currency\":\"USD\"}}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(project.rejectedEvents().json().path("events").get(0).path("eventId").asString())
                    .isEqualTo("p1");
            assertThat(server.ingestKey()).isEqualTo(project.ingestKey());
        }
    }
}
