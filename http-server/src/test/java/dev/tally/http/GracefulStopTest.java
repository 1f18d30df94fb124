package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.ConfigurationException;
import dev.tally.api.CreatedProject;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A graceful stop answers what is in flight and closes the engine after it: nothing acknowledged is lost. */
class GracefulStopTest {
    private static final String PROJECT = "drain";

    @Test
    void stopDuringConcurrentIngest_losesNoAcknowledgedEvent(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock();
        Tally tally = Tally.builder().dataDir(dir).clock(clock).build();
        String key = tally.createProject(PROJECT).keys().get(Role.INGEST);
        TallyServer server = TallyServer.builder(tally).build();
        int port = server.start(0);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong sent = new AtomicLong();
        CountDownLatch enough = new CountDownLatch(40);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int client = t;
            Thread thread = new Thread(() -> ingestUntilRefused(port, key, client, acknowledged, sent, enough));
            thread.start();
            clients.add(thread);
        }
        assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();

        server.stop();
        for (Thread thread : clients) {
            thread.join(60_000);
            assertThat(thread.isAlive()).isFalse();
        }

        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(40 * 10);
        try (Tally reopened = Tally.builder().dataDir(dir).clock(clock).build()) {
            reopened.awaitIdle();
            MetricResult count = reopened.project(PROJECT).query(MetricQuery.metric("event_count")
                    .between(MutableClock.START.minusSeconds(3600), MutableClock.START.plusSeconds(3600))
                    .granularity(Granularity.ALL).build());
            long counted = count.points().isEmpty() ? 0 : count.points().get(0).value().longValue();
            // every acknowledged event is there; some answered by a closing connection may be there too
            assertThat(counted).isGreaterThanOrEqualTo(acknowledged.size()).isLessThanOrEqualTo(sent.get());

            List<Event> again = new ArrayList<>();
            for (String id : acknowledged) {
                again.add(Event.builder("load").eventId(id).build());
            }
            BatchResult replay = reopened.project(PROJECT).ingest(again);
            assertThat(replay.duplicates()).as("acknowledged ids are in the durable log").isEqualTo(acknowledged.size());
        }
    }

    @Test
    void stop_waitsForTheInFlightRequest_andRefusesNewConnections(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock();
        Tally tally = Tally.builder().dataDir(dir).clock(clock).build();
        String key = tally.createProject(PROJECT).keys().get(Role.INGEST);
        TallyServer server = TallyServer.builder(tally)
                .settings(ServerSettings.of(Map.of("tally.http.worker-threads", "1"))).build();
        int port = server.start(0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThat(post(client, port, key, "{\"eventId\":\"warm\",\"eventType\":\"load\"}").statusCode()).isEqualTo(202);

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        server.executor().execute(() -> {
            running.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
                () -> post(client, port, key, "{\"eventId\":\"in-flight\",\"eventType\":\"load\"}"));
        awaitTrue(() -> server.executor().queued() == 1);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        awaitTrue(() -> !accepts(port));
        assertThat(stopping).isNotDone();
        assertThat(inFlight).isNotDone();

        release.countDown();
        HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
        stopping.get(30, TimeUnit.SECONDS);

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(server.isRunning()).isFalse();
        server.stop(); // idempotent
        try (Tally reopened = Tally.builder().dataDir(dir).clock(clock).build()) {
            assertThat(reopened.project(PROJECT).ingest(Event.builder("load").eventId("in-flight").build()).status())
                    .hasToString("DUPLICATE");
        }
    }

    @Test
    void serverThatDoesNotOwnTheEngine_leavesItOpen(@TempDir Path dir) {
        try (Tally tally = Tally.builder().dataDir(dir).clock(new MutableClock()).build()) {
            TallyServer server = TallyServer.builder(tally).closeTallyOnStop(false).build();
            server.start(0);
            server.stop();
            CreatedProject p = tally.createProject("still-open");
            assertThat(p.projectId()).isEqualTo("still-open");
        }
    }

    @Test
    void portInUse_failsToStartWithTheReason_andStartingTwiceIsRefused(@TempDir Path dir) throws Exception {
        try (Tally tally = Tally.builder().dataDir(dir).clock(new MutableClock()).build();
             java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            TallyServer blocked = TallyServer.builder(tally).closeTallyOnStop(false)
                    .settings(ServerSettings.of(Map.of("tally.http.host", "127.0.0.1"))).build();
            assertThatThrownBy(() -> blocked.start(taken.getLocalPort()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
            assertThat(blocked.isRunning()).isFalse();

            TallyServer server = TallyServer.builder(tally).closeTallyOnStop(false).build();
            server.start(0);
            assertThatThrownBy(() -> server.start(0)).isInstanceOf(IllegalStateException.class);
            server.stop();
        }
    }

    private static void ingestUntilRefused(int port, String key, int client, Set<String> acknowledged, AtomicLong sent,
                                           CountDownLatch enough) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int request = 0; request < 5_000; request++) {
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int e = 0; e < 10; e++) {
                String id = "c" + client + "-r" + request + "-e" + e;
                ids.add(id);
                body.append(e == 0 ? "" : ",").append("{\"eventId\":\"").append(id)
                        .append("\",\"eventType\":\"load\",\"userId\":\"u").append(e).append("\"}");
            }
            sent.addAndGet(ids.size());
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/batch"))
                        .header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException stopped) {
                return;
            }
            if (response.statusCode() != 200) {
                return; // 503 shutting down
            }
            JsonNode json = HttpJson.MAPPER.readTree(response.body());
            Set<Integer> rejected = new HashSet<>();
            json.get("rejected").forEach(r -> rejected.add(r.get("index").asInt()));
            assertThat(json.get("duplicates").asLong()).isZero();
            for (int i = 0; i < ids.size(); i++) {
                if (!rejected.contains(i)) {
                    acknowledged.add(ids.get(i));
                }
            }
            enough.countDown();
        }
    }

    private static HttpResponse<String> post(HttpClient client, int port, String key, String body) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return socket.isConnected();
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for a condition another thread makes true (bounded; spins rather than sleeping a guessed time). */
    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition within 20 s").isBefore(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
