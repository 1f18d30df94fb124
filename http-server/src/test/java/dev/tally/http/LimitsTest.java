package dev.tally.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Body size (413), per-key rate limits (429), a full worker queue (503) and the request timeout. */
class LimitsTest {

    static String event(String id) {
        return "{\"eventId\":\"" + id + "\",\"eventType\":\"x\"}";
    }

    static String batch(int n, String prefix) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(event(prefix + i));
        }
        return b.append("]}").toString();
    }

    @Test
    void bodyOverTheDefault5MiB_is413_andTheConnectionKeepsServing(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir)) {
            var k = s.project("big");
            byte[] tooBig = new byte[5 * 1024 * 1024 + 1];
            Arrays.fill(tooBig, (byte) 'a');

            var r = s.post("/v1/events/batch", k.ingest(), tooBig);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.errorCode()).isEqualTo("payload_too_large");

            // just under the limit is read (and refused for what it is: not JSON)
            var under = s.post("/v1/events/batch", k.ingest(), Arrays.copyOf(tooBig, 5 * 1024 * 1024));
            assertThat(under.status()).isEqualTo(400);
            assertThat(s.post("/v1/events", k.ingest(), event("after-413")).status()).isEqualTo(202);
        }
    }

    @Test
    void chunkedOrExpectContinueBodiesOverTheLimit_are413(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir, Map.of("tally.http.max-body-bytes", "65536"))) {
            var k = s.project("chunks");
            byte[] big = ("{\"events\":[" + "\"x\",".repeat(40_000) + "\"x\"]}").getBytes(StandardCharsets.UTF_8);

            var chunked = s.send(HttpRequest.newBuilder(s.uri("/v1/events/batch")).POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))), k.ingest());
            assertThat(chunked.status()).isEqualTo(413);
            assertThat(chunked.errorCode()).isEqualTo("payload_too_large");

            // JDK 17's HttpClient waits forever when "Expect: 100-continue" gets a final answer: speak raw HTTP
            String head = "POST /v1/events/batch HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + k.ingest()
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + big.length + "\r\n\r\n";
            var expecting = RawHttp.exchange(s.port, head.getBytes(StandardCharsets.US_ASCII));
            assertThat(expecting.status()).isEqualTo(413);
            assertThat(expecting.headers()).containsEntry("connection", "close");
            assertThat(expecting.body()).contains("payload_too_large");

            assertThat(s.post("/v1/events", k.ingest(), event("small")).status()).isEqualTo(202);
        }
    }

    @Test
    void expectContinue_getsContinueThenTheAnswer(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start(dir)) {
            var k = s.project("continue");
            byte[] body = event("cont").getBytes(StandardCharsets.UTF_8);
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port)) {
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(("POST /v1/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + k.ingest()
                        + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(100);
                socket.getOutputStream().write(body);
                assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(202);
            }
        }
    }

    @Test
    void unauthenticatedHugeBody_isRefusedBeforeItIsRead(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir)) {
            // announces 1 GB and sends none of it: the answer comes from the headers alone
            var r = RawHttp.exchange(s.port, ("POST /v1/events/batch HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n"
                    + "Authorization: Bearer tly_0123456789abcdef_unknown\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body()).contains("unauthorized");
        }
    }

    @Test
    void requestsOverTheKeysRate_are429WithRetryAfter_perKey(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir, Map.of("tally.http.rate-limit.requests-per-second", "3"))) {
            var k = s.project("rated");
            for (int i = 0; i < 3; i++) {
                assertThat(s.post("/v1/events", k.ingest(), event("r" + i)).status()).isEqualTo(202);
            }
            var limited = s.post("/v1/events", k.ingest(), event("r3"));
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errorCode()).isEqualTo("rate_limited");
            assertThat(limited.retryAfter()).hasValue("1");

            // another key of the same project has its own budget
            assertThat(s.get("/v1/events/rejected", k.query()).status()).isEqualTo(200);
            // the budget refills with the server's clock
            s.clock.advance(Duration.ofSeconds(1));
            assertThat(s.post("/v1/events", k.ingest(), event("r3")).status()).isEqualTo(202);
        }
    }

    @Test
    void eventsOverTheKeysRate_are429_andProjectsCanBeConfiguredApart(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir, Map.of(
                "tally.http.rate-limit.events-per-second", "5",
                "tally.http.rate-limit.project.vip.events-per-second", "0"))) {
            var k = s.project("small");
            var first = s.post("/v1/events/batch", k.ingest(), batch(5, "a"));
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.json().get("accepted").asLong()).isEqualTo(5);

            var over = s.post("/v1/events", k.ingest(), event("b0"));
            assertThat(over.status()).isEqualTo(429);
            assertThat(over.retryAfter()).isPresent();

            var never = s.post("/v1/events/batch", k.ingest(), batch(6, "c"));
            assertThat(never.status()).isEqualTo(429);
            assertThat(never.json().get("error").get("message").asString()).contains("smaller requests");

            var vip = s.project("vip");
            assertThat(s.post("/v1/events/batch", vip.ingest(), batch(50, "v")).json().get("accepted").asLong())
                    .isEqualTo(50);
            // a refused request ingested nothing: after a refill the same ids are new
            s.clock.advance(Duration.ofSeconds(1));
            assertThat(s.post("/v1/events", k.ingest(), event("b0")).status()).isEqualTo(202);
        }
    }

    @Test
    void fullWorkerQueue_is503WithRetryAfter_thenServesAgain(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start(dir, Map.of("tally.http.worker-threads", "1",
                "tally.http.queue-capacity", "1", "tally.http.retry-after", "2s"))) {
            var k = s.project("busy");
            assertThat(s.post("/v1/events", k.ingest(), event("warm")).status()).isEqualTo(202); // key now cached
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.server.executor().execute(() -> {
                running.countDown();
                await(release);
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            CountDownLatch queuedStarted = new CountDownLatch(1);
            s.server.executor().execute(() -> { // the queue's one slot
                queuedStarted.countDown();
                await(release);
            });

            var refused = s.post("/v1/events", k.ingest(), event("refused"));
            release.countDown();
            // Once the queued blocker has left the queue, a new request is taken again.
            assertThat(queuedStarted.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("overloaded");
            assertThat(refused.retryAfter()).hasValue("2");
            assertThat(s.post("/v1/events", k.ingest(), event("refused")).status()).isEqualTo(202);
        }
    }

    @Test
    void slowRequest_is503Timeout_andRetryingIsSafe(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start(dir, Map.of("tally.http.worker-threads", "1",
                "tally.http.request-timeout", "300ms"))) {
            var k = s.project("slow");
            assertThat(s.post("/v1/events", k.ingest(), event("warm")).status()).isEqualTo(202);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.server.executor().execute(() -> {
                running.countDown();
                await(release);
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

            var timedOut = s.post("/v1/events", k.ingest(), event("late"));
            assertThat(timedOut.status()).isEqualTo(503);
            assertThat(timedOut.errorCode()).isEqualTo("timeout");
            assertThat(timedOut.retryAfter()).isPresent();

            release.countDown();
            // a request answered 503 before a worker took it is not ingested; the retry is, once
            var retry = s.post("/v1/events", k.ingest(), event("late"));
            assertThat(retry.status()).isEqualTo(202);
            assertThat(retry.json().get("status").asString()).isEqualTo("accepted");
            var again = s.post("/v1/events", k.ingest(), event("late"));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().get("status").asString()).isEqualTo("duplicate");
        }
    }

    @Test
    void concurrentClients_allAnswered(@TempDir Path dir) {
        try (TestServer s = TestServer.start(dir)) {
            var k = s.project("many");
            CompletableFuture<?>[] all = new CompletableFuture<?>[64];
            for (int i = 0; i < all.length; i++) {
                int n = i;
                all[i] = CompletableFuture.supplyAsync(() -> s.post("/v1/events", k.ingest(), event("c" + n)).status());
            }
            CompletableFuture.allOf(all).join();
            for (CompletableFuture<?> f : all) {
                assertThat(f.join()).isEqualTo(202);
            }
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
