package dev.tally.testkit.cloud;

import dev.tally.cloud.RedisTestBackend;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a Redis outage does to the Redis parts of the cloud backend, on a server of this test's own (the shared
 * one must stay up): data written before a clean stop is there after a restart on the same port, the same
 * backend instance carries on without being reopened (Lettuce reconnects, the dedup script is loaded again after
 * Redis lost its script cache), and calls made while Redis is down fail with the endpoint in the message.
 */
class RedisRestartTest {
    @TempDir
    Path dir;
    private EmbeddedRedis redis;
    private Backend backend;
    private final TestClock clock = TestClock.create();

    @BeforeEach
    void start() {
        redis = EmbeddedRedis.start(dir.resolve("redis"));
        backend = RedisTestBackend.open(Map.of("tally.redis.uri", redis.uri(), "tally.redis.timeout", "500ms"), clock);
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        redis.close();
    }

    @Test
    void dataWrittenBeforeAStopIsThereAfterARestartAndTheSameBackendCarriesOn() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        WindowKey key = new WindowKey("p1", "revenue", WindowSize.ONE_MINUTE,
                WindowSize.ONE_MINUTE.startOf(clock.millis()), List.of("US"));
        Aggregate value = Aggregate.empty();
        value.addEvent();
        value.addValue(4.5);
        assertThat(backend.dedup().markIfAbsent("p1", List.of("a"), expiry)).containsExactly(true);
        backend.windows().putAll(Map.of(key, value), new Checkpoint("aggregator", LogPosition.of(41), Map.of("p1", 7L)));

        redis.stop();
        redis.restart();
        awaitReconnected();

        assertThat(backend.dedup().markIfAbsent("p1", List.of("a", "b"), expiry)).containsExactly(false, true);
        assertThat(backend.windows().get(key)).hasValueSatisfying(a -> assertThat(a.sum()).isEqualTo(4.5));
        assertThat(backend.windows().checkpoint("aggregator").orElseThrow().position()).isEqualTo(LogPosition.of(41));
    }

    @Test
    void callsWhileRedisIsDownFailNamingTheEndpoint() {
        redis.stop();
        assertThatThrownBy(() -> backend.dedup().markIfAbsent("p1", List.of("a"), clock.instant().plusSeconds(60)))
                .hasMessageContaining("127.0.0.1:" + redis.port());
        assertThat(backend.cache().get("q")).as("a cache miss, not a failed query").isEmpty();
        redis.restart();
        awaitReconnected();
        assertThat(backend.dedup().markIfAbsent("p1", List.of("a"), clock.instant().plusSeconds(60))).containsExactly(true);
    }

    /**
     * Calls are refused while the connection is down; it comes back in the background within a few hundred
     * milliseconds of the server. Waits for that, as a client retrying a 503 would.
     */
    private void awaitReconnected() {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                backend.windows().version("reconnect-probe");
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
            }
        }
    }
}
