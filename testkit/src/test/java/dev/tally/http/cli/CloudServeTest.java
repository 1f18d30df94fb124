package dev.tally.http.cli;

import dev.tally.http.TallyServer;
import dev.tally.testkit.cloud.EmbeddedCloudStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tally serve --config tally.yaml} with {@code profile: cloud} against the embedded cloud stack: the
 * documented way to run the cloud profile, end to end over HTTP.
 */
class CloudServeTest {
    private static final JsonMapper JSON = JsonMapper.shared();

    @TempDir
    Path dir;

    @Test
    void serveWithACloudYamlConfig_ingestsAndAnswersOverHttp() throws Exception {
        EmbeddedCloudStack stack = EmbeddedCloudStack.shared();
        Path config = Files.writeString(dir.resolve("tally.yaml"), yaml(stack.settingsFor(
                EmbeddedCloudStack.freshNamespace(), dir.resolve("data"))));
        ServeCommand serve = new ServeCommand();
        CompletableFuture<TallyServer> started = new CompletableFuture<>();
        serve.onStarted(started::complete);
        StringWriter out = new StringWriter();
        CommandLine cl = TallyCli.commandLine(serve);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(
                "--port", "0", "--host", "127.0.0.1", "--config", config.toString()));
        try {
            TallyServer server = started.get(120, TimeUnit.SECONDS);
            assertThat(out.toString()).contains("cloud profile");
            String base = "http://127.0.0.1:" + server.port();
            JsonNode keys = JSON.readTree(send(base + "/v1/projects", "admin-secret", "{\"projectId\":\"shop\"}", 201))
                    .path("keys");
            String event = "{\"eventId\":\"e1\",\"eventType\":\"purchase\",\"userId\":\"u1\",\"timestamp\":\""
                    + Instant.now().minusSeconds(5) + "\"}";
            assertThat(send(base + "/v1/events", keys.path("ingest").asString(), event, 202)).contains("accepted");
            assertThat(send(base + "/v1/events", keys.path("ingest").asString(), event, 200)).contains("duplicate");

            String query = base + "/v1/metrics/event_count?startTime=" + Instant.now().minus(Duration.ofHours(1))
                    + "&endTime=" + Instant.now().plus(Duration.ofHours(1)) + "&granularity=all";
            JsonNode answer = awaitCount(query, keys.path("query").asString(), 1.0);
            assertThat(answer.path("source").asString()).isEqualTo("realtime");
        } finally {
            serve.shutdown();
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    }

    /** The stack's settings as a nested tally.yaml, the way an operator would write it. */
    private static String yaml(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("tally:\n  profile: cloud\n  admin-key: admin-secret\n");
        for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
            sb.append("  ").append(e.getKey().substring("tally.".length())).append(": \"").append(e.getValue())
                    .append("\"\n");
        }
        return sb.toString();
    }

    private static String send(String url, String key, String body, int expectedStatus) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        return r.body();
    }

    /** The aggregator is asynchronous (flushes every 100 ms): polls the metric until it shows the event, ≤ 30 s. */
    private static JsonNode awaitCount(String url, String key, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode answer;
        do {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            answer = JSON.readTree(r.body());
            if (answer.path("points").size() == 1 && answer.path("points").get(0).path("value").asDouble() == expected) {
                return answer;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        } while (System.nanoTime() < deadline);
        assertThat(answer.path("points")).as("metric never showed the event").hasSize(1);
        return answer;
    }
}
