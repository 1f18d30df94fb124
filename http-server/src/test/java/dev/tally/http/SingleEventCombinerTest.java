package dev.tally.http;

import dev.tally.api.Event;
import dev.tally.api.IngestResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.tally.http.LimitsTest.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Single-event requests that wait for a busy worker are ingested in one engine call, and each is still
 * answered as if it had been sent alone.
 */
class SingleEventCombinerTest {

    @Test
    void waitingRequests_areIngestedTogether_eachWithItsOwnAnswer(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start(dir, Map.of("tally.http.worker-threads", "1"))) {
            var k = s.project("combined");
            s.project("other");
            assertThat(s.post("/v1/events", k.ingest(), event("warm")).status()).isEqualTo(202); // key now cached
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.server.executor().execute(() -> {
                running.countDown();
                LimitsTest.await(release);
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

            List<String> bodies = List.of(event("a"), event("a"), event("c"),
                    "{\"eventId\":\"b\",\"eventType\":\"x\",\"projectId\":\"other\"}",
                    "{\"eventId\":", "{\"events\":[" + event("d") + "]}");
            List<CompletableFuture<TestServer.Reply>> replies = bodies.stream()
                    .map(b -> CompletableFuture.supplyAsync(() -> s.post("/v1/events", k.ingest(), b))).toList();
            awaitTrue(() -> s.server.combiner().waiting() == bodies.size());
            assertThat(replies).noneMatch(CompletableFuture::isDone);
            release.countDown();

            List<TestServer.Reply> r = replies.stream().map(CompletableFuture::join).toList();
            assertThat(List.of(r.get(0).status(), r.get(1).status())).as("one 'a' accepted, the other a duplicate")
                    .containsExactlyInAnyOrder(202, 200);
            assertThat(List.of(r.get(0).json().get("status").asString(), r.get(1).json().get("status").asString()))
                    .containsExactlyInAnyOrder("accepted", "duplicate");
            assertThat(r.get(2).status()).isEqualTo(202);
            assertThat(r.get(3).status()).isEqualTo(403);
            assertThat(r.get(3).errorCode()).isEqualTo("forbidden_project");
            assertThat(r.get(4).status()).isEqualTo(400);
            assertThat(r.get(4).errorCode()).isEqualTo("malformed_json");
            assertThat(r.get(5).status()).isEqualTo(400);
            assertThat(r.get(5).json().get("errors").get(0).get("code").asString()).isEqualTo("unexpected_batch");
            assertThat(s.server.combiner().waiting()).isZero();

            Instant t = s.clock.instant();
            for (String id : List.of("a", "c")) {
                assertThat(s.tally.project("combined").ingest(Event.builder("x").eventId(id).timestamp(t).build()))
                        .as(id).isInstanceOf(IngestResult.Duplicate.class);
            }
            for (String id : List.of("b", "d")) {
                assertThat(s.tally.project("combined").ingest(Event.builder("x").eventId(id).timestamp(t).build()))
                        .as(id + " was not ingested").isInstanceOf(IngestResult.Accepted.class);
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
