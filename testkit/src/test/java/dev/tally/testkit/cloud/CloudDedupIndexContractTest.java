package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.DedupIndexContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dedup contract on Redis, plus what only a shared index can show: two engines see each other's marks. */
class CloudDedupIndexContractTest extends DedupIndexContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return RedisTestServer.openBackend(dir, clock);
    }

    /** Redis stores each expiry to the millisecond: no rounding up. */
    @Override
    protected Duration expiryGranularity() {
        return Duration.ZERO;
    }

    @Test
    void twoEnginesOnOneRedisAgreeOnDuplicates() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        try (Backend other = openBackend(dir, clock)) {
            assertThat(backend.dedup().markIfAbsent("p1", List.of("a", "b"), expiry)).containsExactly(true, true);
            assertThat(other.dedup().markIfAbsent("p1", List.of("a", "b", "c"), expiry))
                    .containsExactly(false, false, true);
            assertThat(backend.dedup().markIfAbsent("p1", List.of("c"), expiry)).containsExactly(false);

            other.dedup().unmark("p1", List.of("a"));
            assertThat(backend.dedup().markIfAbsent("p1", List.of("a"), expiry)).containsExactly(true);
            assertThat(other.dedup().markIfAbsent("p1", List.of("a"), expiry)).containsExactly(false);
        }
    }

    @Test
    void twoEnginesRacingForTheSameIdsAcceptEachIdOnce() throws Exception {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        List<String> ids = java.util.stream.IntStream.range(0, 5_000).mapToObj(i -> "e" + i).toList();
        try (Backend other = openBackend(dir, clock)) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var first = pool.submit(() -> backend.dedup().markIfAbsent("p1", ids, expiry));
                var second = pool.submit(() -> other.dedup().markIfAbsent("p1", ids, expiry));
                boolean[] a = first.get();
                boolean[] b = second.get();
                for (int i = 0; i < ids.size(); i++) {
                    assertThat(a[i] ^ b[i]).as("exactly one engine accepted %s", ids.get(i)).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
