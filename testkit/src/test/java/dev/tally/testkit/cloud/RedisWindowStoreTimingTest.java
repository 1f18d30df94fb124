package dev.tally.testkit.cloud;

import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.spi.WindowStore;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two window-store calls whose cost matters, at realistic sizes, on the shared embedded Redis: one flush of
 * 1,000 windows (each its own hash) with the checkpoint, and a query's read of a day of 1-minute windows (1,440). Logs the best of a
 * few runs; asserts only what was stored and read, never a time (the machine is shared).
 */
class RedisWindowStoreTimingTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisWindowStoreTimingTest.class);
    private static final int RUNS = 5;

    @TempDir
    Path dir;

    @Test
    void putAllOfAThousandWindowsAndRangeOfADayOfMinutes() {
        TestClock clock = TestClock.create();
        long day = WindowSize.ONE_HOUR.startOf(clock.millis());
        try (Backend backend = RedisTestServer.openBackend(dir, clock)) {
            WindowStore windows = backend.windows();

            long bestPut = Long.MAX_VALUE;
            for (int run = 0; run < RUNS; run++) {
                Map<WindowKey, Aggregate> values = new HashMap<>();
                for (int i = 0; i < 1_000; i++) {
                    values.put(new WindowKey("p1", "flush-" + i % 4, WindowSize.ONE_MINUTE, day + (i / 4) * 60_000L,
                            List.of("country-" + i % 3)), aggregate(i, 20));
                }
                long started = System.nanoTime();
                windows.putAll(values, new Checkpoint("aggregator", LogPosition.of(run), Map.of("p1", day)));
                bestPut = Math.min(bestPut, System.nanoTime() - started);
            }

            Map<WindowKey, Aggregate> dayOfMinutes = new HashMap<>();
            for (int m = 0; m < 1_440; m++) {
                dayOfMinutes.put(new WindowKey("p1", "range", WindowSize.ONE_MINUTE, day + m * 60_000L, List.of("US")),
                        aggregate(m, 20));
            }
            windows.putAll(dayOfMinutes, new Checkpoint("aggregator", LogPosition.of(99), Map.of("p1", day)));
            long bestRange = Long.MAX_VALUE;
            List<WindowStore.Window> read = List.of();
            for (int run = 0; run < RUNS; run++) {
                long started = System.nanoTime();
                read = windows.range("p1", "range", WindowSize.ONE_MINUTE, day, day + 1_440 * 60_000L);
                bestRange = Math.min(bestRange, System.nanoTime() - started);
            }

            assertThat(read).hasSize(1_440);
            assertThat(read.get(100).values().get(List.of("US")).count()).isEqualTo(100);
            assertThat(windows.range("p1", "flush-1", WindowSize.ONE_MINUTE, day, day + 250 * 60_000L)).hasSize(250);
            LOG.info("Redis window store: putAll of 1,000 windows (20 users each) {} ms; range of 1,440 1m windows {} ms "
                    + "(best of {})", bestPut / 1_000_000.0, bestRange / 1_000_000.0, RUNS);
        }
    }

    private static Aggregate aggregate(int events, int users) {
        Aggregate a = Aggregate.empty();
        for (int e = 0; e < events; e++) {
            a.addEvent();
            a.addValue(e);
        }
        for (int u = 0; u < users; u++) {
            a.addUser("user-" + u);
        }
        return a;
    }
}
