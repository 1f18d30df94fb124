package dev.tally.testkit.contract;

import dev.tally.spi.Aggregate;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.spi.WindowStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of {@link WindowStore}: real-time window values and the aggregator's checkpoint.
 *
 * <p>What it pins down: a put stores whole-window values, so a later put of the same key replaces the value
 * and a replay of the same put changes nothing; a put touches only the keys it names; a value is found only by
 * its exact key (project, metric, size, start, dimension values); {@link WindowStore#range} returns the windows
 * with {@code from <= start < to}, grouped by start and dimension values; a checkpoint round-trips its
 * {@link LogPosition} and watermarks and is replaced by the next put; {@link WindowStore#version} changes when
 * a project's values change; {@link WindowStore#expireBefore} drops exactly the windows starting before the
 * cutoff; and values and checkpoints survive a clean reopen.
 *
 * <p>{@link Aggregate} is mutable, and its documentation says accumulators own theirs while stores hand out
 * copies: so changing an aggregate after putting it, or one read by {@code get} or {@code range}, must not change
 * what the store holds.
 */
public abstract class WindowStoreContract extends BackendContract {
    private static final String CONSUMER = "aggregator";
    private static final long MINUTE = WindowSize.ONE_MINUTE.millis();

    private WindowStore windows() {
        return backend.windows();
    }

    /** Start of the minute window the test clock is in (the clock starts on a full hour). */
    private long t0() {
        return WindowSize.ONE_HOUR.startOf(clock.millis());
    }

    private static WindowKey key(String projectId, String metric, WindowSize size, long start, String... dimensions) {
        return new WindowKey(projectId, metric, size, start, List.of(dimensions));
    }

    private WindowKey minute(long start, String... dimensions) {
        return key("p1", "revenue", WindowSize.ONE_MINUTE, start, dimensions);
    }

    private static Checkpoint checkpoint(long offset) {
        return new Checkpoint(CONSUMER, LogPosition.of(offset), Map.of());
    }

    private void put(Map<WindowKey, Aggregate> values) {
        windows().putAll(values, checkpoint(values.size()));
    }

    private void put(WindowKey key, Aggregate value) {
        put(Map.of(key, value));
    }

    private Aggregate stored(WindowKey key) {
        Optional<Aggregate> value = windows().get(key);
        assertThat(value).as("value of %s", key).isPresent();
        return value.get();
    }

    private Map<Long, Map<List<String>, Aggregate>> rangeByStart(String projectId, String metric, WindowSize size,
                                                                 long from, long to) {
        Map<Long, Map<List<String>, Aggregate>> out = new HashMap<>();
        for (WindowStore.Window w : windows().range(projectId, metric, size, from, to)) {
            assertThat(out).as("windows of one start are grouped").doesNotContainKey(w.start());
            out.put(w.start(), w.values());
        }
        return out;
    }

    @Nested
    @DisplayName("put and get")
    class PutAndGet {
        @Test
        void getReturnsTheStoredValueIncludingItsUniqueUsersSketch() {
            Aggregate value = aggregate(50, 10.5, 3.25, 99.0);
            put(minute(t0(), "US"), value);
            assertSameAggregate(stored(minute(t0(), "US")), value);
            assertThat(stored(minute(t0(), "US")).distinctUsers()).isGreaterThan(45);
        }

        @Test
        void getOfAnUnknownKeyIsEmpty() {
            assertThat(windows().get(minute(t0(), "US"))).isEmpty();
        }

        @Test
        void aValueIsFoundOnlyByItsExactKey() {
            put(minute(t0(), "US", "mobile"), aggregate(1, 1.0));
            assertThat(windows().get(key("p2", "revenue", WindowSize.ONE_MINUTE, t0(), "US", "mobile"))).isEmpty();
            assertThat(windows().get(key("p1", "orders", WindowSize.ONE_MINUTE, t0(), "US", "mobile"))).isEmpty();
            assertThat(windows().get(key("p1", "revenue", WindowSize.FIVE_MINUTES, t0(), "US", "mobile"))).isEmpty();
            assertThat(windows().get(minute(t0() + MINUTE, "US", "mobile"))).isEmpty();
            assertThat(windows().get(minute(t0(), "US"))).isEmpty();
            assertThat(windows().get(minute(t0(), "mobile", "US"))).isEmpty();
            assertThat(windows().get(minute(t0(), "US", "desktop"))).isEmpty();
            assertThat(windows().get(minute(t0(), "US", "mobile"))).isPresent();
        }

        @Test
        void keysWithoutDimensionsAndWithAbsentValuesAreStoredLikeAnyOther() {
            put(Map.of(minute(t0()), aggregate(0, 1.0),
                    minute(t0(), WindowKey.NULL_VALUE), aggregate(0, 2.0, 2.0),
                    minute(t0(), WindowKey.OTHER_VALUE, WindowKey.NULL_VALUE), aggregate(0, 3.0, 3.0, 3.0)));
            assertThat(stored(minute(t0())).count()).isEqualTo(1);
            assertThat(stored(minute(t0(), WindowKey.NULL_VALUE)).count()).isEqualTo(2);
            assertThat(stored(minute(t0(), WindowKey.OTHER_VALUE, WindowKey.NULL_VALUE)).count()).isEqualTo(3);
        }

        @Test
        void aLaterPutReplacesTheWholeValue() {
            put(minute(t0(), "US"), aggregate(3, 10.0, 20.0, 30.0));
            Aggregate replacement = aggregate(1, 5.0);
            put(minute(t0(), "US"), replacement);
            assertSameAggregate(stored(minute(t0(), "US")), replacement);
        }

        @Test
        void replayingTheSamePutChangesNothing() {
            Map<WindowKey, Aggregate> values = Map.of(minute(t0(), "US"), aggregate(3, 1.0, 2.0),
                    minute(t0(), "DE"), aggregate(2, 4.0));
            put(values);
            put(values);
            put(values);
            assertSameAggregate(stored(minute(t0(), "US")), aggregate(3, 1.0, 2.0));
            assertSameAggregate(stored(minute(t0(), "DE")), aggregate(2, 4.0));
        }

        @Test
        void aPutLeavesOtherDimensionValuesOfTheSameWindowAlone() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0), minute(t0(), "DE"), aggregate(0, 2.0, 2.0)));
            put(minute(t0(), "US"), aggregate(0, 7.0, 7.0, 7.0));
            assertThat(stored(minute(t0(), "US")).count()).isEqualTo(3);
            assertThat(stored(minute(t0(), "DE")).count()).isEqualTo(2);
        }

        @Test
        void changingAValueReadFromTheStoreDoesNotChangeTheStore() {
            put(minute(t0(), "US"), aggregate(1, 1.0));
            Aggregate read = stored(minute(t0(), "US"));
            read.addEvent();
            read.addValue(100.0);
            assertSameAggregate(stored(minute(t0(), "US")), aggregate(1, 1.0));
        }

        @Test
        void changingAValueAfterPuttingItDoesNotChangeTheStore() {
            Aggregate value = aggregate(1, 1.0);
            put(minute(t0(), "US"), value);
            value.addEvent();
            value.addValue(100.0);
            value.addUser("late-user");
            assertSameAggregate(stored(minute(t0(), "US")), aggregate(1, 1.0));
        }

        @Test
        void manyKeysInOnePutAreAllStored() {
            Map<WindowKey, Aggregate> values = new LinkedHashMap<>();
            for (int m = 0; m < 60; m++) {
                for (String country : List.of("US", "DE", "FR")) {
                    values.put(minute(t0() + m * MINUTE, country), aggregate(0, m));
                }
            }
            put(values);
            values.forEach((k, v) -> assertSameAggregate(stored(k), v));
        }
    }

    @Nested
    @DisplayName("range")
    class Range {
        @Test
        void rangeIncludesFromAndExcludesTo() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0),
                    minute(t0() + MINUTE, "US"), aggregate(0, 2.0),
                    minute(t0() + 2 * MINUTE, "US"), aggregate(0, 3.0),
                    minute(t0() + 3 * MINUTE, "US"), aggregate(0, 4.0)));
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0() + MINUTE, t0() + 3 * MINUTE))
                    .containsOnlyKeys(t0() + MINUTE, t0() + 2 * MINUTE);
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + 4 * MINUTE))
                    .containsOnlyKeys(t0(), t0() + MINUTE, t0() + 2 * MINUTE, t0() + 3 * MINUTE);
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0() + 1, t0() + MINUTE)).isEmpty();
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0() + MINUTE, t0() + MINUTE)).isEmpty();
        }

        @Test
        void rangeGroupsValuesByWindowStartAndDimensionValues() {
            put(Map.of(minute(t0(), "US", "mobile"), aggregate(0, 1.0),
                    minute(t0(), "DE", "desktop"), aggregate(0, 2.0, 2.0),
                    minute(t0() + MINUTE, "US", "mobile"), aggregate(2, 3.0, 3.0, 3.0)));
            Map<Long, Map<List<String>, Aggregate>> byStart =
                    rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + 10 * MINUTE);
            assertThat(byStart).containsOnlyKeys(t0(), t0() + MINUTE);
            assertThat(byStart.get(t0())).containsOnlyKeys(List.of("US", "mobile"), List.of("DE", "desktop"));
            assertThat(byStart.get(t0()).get(List.of("DE", "desktop")).count()).isEqualTo(2);
            assertThat(byStart.get(t0() + MINUTE)).containsOnlyKeys(List.of("US", "mobile"));
            assertSameAggregate(byStart.get(t0() + MINUTE).get(List.of("US", "mobile")), aggregate(2, 3.0, 3.0, 3.0));
        }

        @Test
        void rangeIsScopedToOneProjectMetricAndSize() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0),
                    key("p2", "revenue", WindowSize.ONE_MINUTE, t0(), "US"), aggregate(0, 2.0),
                    key("p1", "orders", WindowSize.ONE_MINUTE, t0(), "US"), aggregate(0, 3.0),
                    key("p1", "revenue", WindowSize.FIVE_MINUTES, t0(), "US"), aggregate(0, 4.0)));
            Map<Long, Map<List<String>, Aggregate>> byStart =
                    rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + MINUTE);
            assertThat(byStart).containsOnlyKeys(t0());
            assertThat(byStart.get(t0())).containsOnlyKeys(List.of("US"));
            assertThat(byStart.get(t0()).get(List.of("US")).sum()).isEqualTo(1.0);
            assertThat(rangeByStart("p1", "revenue", WindowSize.FIVE_MINUTES, t0(), t0() + MINUTE).get(t0())
                    .get(List.of("US")).sum()).isEqualTo(4.0);
        }

        @Test
        void rangeOfAnUnknownSeriesIsEmpty() {
            assertThat(windows().range("nobody", "nothing", WindowSize.ONE_HOUR, 0, Long.MAX_VALUE)).isEmpty();
        }

        @Test
        void rangeSeesTheLatestPut() {
            put(minute(t0(), "US"), aggregate(0, 1.0));
            put(minute(t0(), "US"), aggregate(0, 1.0, 1.0, 1.0, 1.0));
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + MINUTE).get(t0())
                    .get(List.of("US")).count()).isEqualTo(4);
        }
    }

    @Nested
    @DisplayName("checkpoints")
    class Checkpoints {
        @Test
        void theCheckpointOfAnUnknownConsumerIsEmpty() {
            assertThat(windows().checkpoint("never-seen")).isEmpty();
        }

        @Test
        void aCheckpointRoundTripsItsPositionAndWatermarks() {
            long watermark = Instant.parse("2024-01-15T09:59:30Z").toEpochMilli();
            Checkpoint cp = new Checkpoint(CONSUMER, LogPosition.of(12, -1, 40),
                    Map.of("p1", watermark, "p2", 0L, "p3", Long.MAX_VALUE));
            windows().putAll(Map.of(minute(t0(), "US"), aggregate(0, 1.0)), cp);
            Checkpoint stored = windows().checkpoint(CONSUMER).orElseThrow();
            assertThat(stored.consumer()).isEqualTo(CONSUMER);
            assertThat(stored.position()).isEqualTo(LogPosition.of(12, -1, 40));
            assertThat(stored.watermarks()).containsExactlyInAnyOrderEntriesOf(cp.watermarks());
        }

        @Test
        void aCheckpointWithNoPositionAndNoWatermarksRoundTrips() {
            windows().putAll(Map.of(), new Checkpoint(CONSUMER, LogPosition.NONE, Map.of()));
            Checkpoint stored = windows().checkpoint(CONSUMER).orElseThrow();
            assertThat(LogPosition.NONE.covers(stored.position())).isTrue();
            assertThat(stored.watermarks()).isEmpty();
        }

        @Test
        void aPutWithoutValuesStillStoresTheCheckpoint() {
            windows().putAll(Map.of(), new Checkpoint(CONSUMER, LogPosition.of(7), Map.of("p1", 5L)));
            assertThat(windows().checkpoint(CONSUMER)).hasValueSatisfying(cp -> {
                assertThat(cp.position()).isEqualTo(LogPosition.of(7));
                assertThat(cp.watermarks()).containsExactlyEntriesOf(Map.of("p1", 5L));
            });
        }

        @Test
        void theNextPutReplacesTheCheckpointWhole() {
            windows().putAll(Map.of(), new Checkpoint(CONSUMER, LogPosition.of(1), Map.of("p1", 1L, "p2", 2L)));
            windows().putAll(Map.of(), new Checkpoint(CONSUMER, LogPosition.of(9), Map.of("p1", 10L)));
            Checkpoint stored = windows().checkpoint(CONSUMER).orElseThrow();
            assertThat(stored.position()).isEqualTo(LogPosition.of(9));
            assertThat(stored.watermarks()).containsExactlyEntriesOf(Map.of("p1", 10L));
        }

        @Test
        void consumersKeepSeparateCheckpoints() {
            windows().putAll(Map.of(), new Checkpoint("a", LogPosition.of(1), Map.of("p1", 1L)));
            windows().putAll(Map.of(), new Checkpoint("b", LogPosition.of(2), Map.of("p1", 2L)));
            assertThat(windows().checkpoint("a").orElseThrow().position()).isEqualTo(LogPosition.of(1));
            assertThat(windows().checkpoint("b").orElseThrow().position()).isEqualTo(LogPosition.of(2));
            assertThat(windows().checkpoint("b").orElseThrow().watermarks()).containsEntry("p1", 2L);
        }
    }

    @Nested
    @DisplayName("version")
    class Version {
        @Test
        void theVersionChangesWhenAProjectsValuesArePut() {
            long before = windows().version("p1");
            put(minute(t0(), "US"), aggregate(0, 1.0));
            long afterFirst = windows().version("p1");
            assertThat(afterFirst).isNotEqualTo(before);
            put(minute(t0(), "US"), aggregate(0, 2.0));
            assertThat(windows().version("p1")).isNotEqualTo(afterFirst);
        }

        @Test
        void theVersionChangesWhenExpiryDropsAProjectsWindows() {
            put(minute(t0(), "US"), aggregate(0, 1.0));
            long before = windows().version("p1");
            windows().expireBefore(Instant.ofEpochMilli(t0() + MINUTE));
            assertThat(windows().version("p1")).isNotEqualTo(before);
        }

        @Test
        void theVersionIsStableWhileNothingChanges() {
            put(minute(t0(), "US"), aggregate(0, 1.0));
            long version = windows().version("p1");
            windows().get(minute(t0(), "US"));
            windows().range("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + MINUTE);
            windows().checkpoint(CONSUMER);
            assertThat(windows().version("p1")).isEqualTo(version);
        }
    }

    @Nested
    @DisplayName("expiry")
    class Expiry {
        @Test
        void expireBeforeDropsExactlyTheWindowsStartingBeforeTheCutoff() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0),
                    minute(t0() + MINUTE, "US"), aggregate(0, 2.0),
                    minute(t0() + 2 * MINUTE, "US"), aggregate(0, 3.0),
                    key("p2", "orders", WindowSize.ONE_HOUR, t0(), "DE"), aggregate(0, 4.0)));
            windows().expireBefore(Instant.ofEpochMilli(t0() + MINUTE));
            assertThat(windows().get(minute(t0(), "US"))).isEmpty();
            assertThat(windows().get(key("p2", "orders", WindowSize.ONE_HOUR, t0(), "DE"))).isEmpty();
            assertThat(windows().get(minute(t0() + MINUTE, "US"))).isPresent();
            assertThat(windows().get(minute(t0() + 2 * MINUTE, "US"))).isPresent();
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, 0, Long.MAX_VALUE))
                    .containsOnlyKeys(t0() + MINUTE, t0() + 2 * MINUTE);
        }

        @Test
        void expiryKeepsCheckpoints() {
            windows().putAll(Map.of(minute(t0(), "US"), aggregate(0, 1.0)),
                    new Checkpoint(CONSUMER, LogPosition.of(3), Map.of("p1", t0())));
            windows().expireBefore(Instant.ofEpochMilli(t0() + 10 * MINUTE));
            assertThat(windows().checkpoint(CONSUMER).orElseThrow().position()).isEqualTo(LogPosition.of(3));
        }

        @Test
        void expiredWindowsStayGoneAfterAReopen() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0), minute(t0() + MINUTE, "US"), aggregate(0, 2.0)));
            windows().expireBefore(Instant.ofEpochMilli(t0() + MINUTE));
            reopenBackend();
            assertThat(windows().get(minute(t0(), "US"))).isEmpty();
            assertThat(windows().get(minute(t0() + MINUTE, "US"))).isPresent();
        }

        @Test
        void aWindowCanBeWrittenAgainAfterItExpired() {
            put(minute(t0(), "US"), aggregate(0, 1.0));
            windows().expireBefore(Instant.ofEpochMilli(t0() + MINUTE));
            put(minute(t0(), "US"), aggregate(0, 5.0, 5.0));
            assertThat(stored(minute(t0(), "US")).count()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("rewind")
    class Rewind {
        @Test
        void rewindDropsExactlyTheWindowsFromTheTimeOnAndStoresTheCheckpoint() {
            windows().putAll(Map.of(minute(t0(), "US"), aggregate(0, 1.0),
                            minute(t0() + MINUTE, "US"), aggregate(0, 2.0),
                            key("p2", "orders", WindowSize.ONE_HOUR, t0() + 60 * MINUTE, "DE"), aggregate(0, 4.0)),
                    new Checkpoint(CONSUMER, LogPosition.of(9), Map.of("p1", t0() + MINUTE)));
            long before = windows().version("p1");
            windows().rewind(Instant.ofEpochMilli(t0() + MINUTE),
                    new Checkpoint(CONSUMER, LogPosition.of(4), Map.of("p1", t0())));
            assertThat(windows().get(minute(t0(), "US"))).isPresent();
            assertThat(windows().get(minute(t0() + MINUTE, "US"))).isEmpty();
            assertThat(windows().get(key("p2", "orders", WindowSize.ONE_HOUR, t0() + 60 * MINUTE, "DE"))).isEmpty();
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, 0, Long.MAX_VALUE)).containsOnlyKeys(t0());
            Checkpoint cp = windows().checkpoint(CONSUMER).orElseThrow();
            assertThat(cp.position()).isEqualTo(LogPosition.of(4));
            assertThat(cp.watermarks()).containsExactly(Map.entry("p1", t0()));
            assertThat(windows().version("p1")).isNotEqualTo(before);
        }

        @Test
        void rewoundWindowsStayGoneAfterAReopenAndNewPutsLandAgain() {
            put(Map.of(minute(t0(), "US"), aggregate(0, 1.0), minute(t0() + MINUTE, "US"), aggregate(0, 2.0)));
            windows().rewind(Instant.ofEpochMilli(t0()), checkpoint(0));
            reopenBackend();
            assertThat(windows().get(minute(t0(), "US"))).isEmpty();
            assertThat(windows().get(minute(t0() + MINUTE, "US"))).isEmpty();
            put(minute(t0() + MINUTE, "US"), aggregate(0, 5.0));
            assertThat(stored(minute(t0() + MINUTE, "US")).sum()).isEqualTo(5.0);
        }
    }

    @Nested
    @DisplayName("durability across a reopen")
    class Durability {
        @Test
        void valuesAndTheCheckpointSurviveAReopen() {
            Map<WindowKey, Aggregate> values = Map.of(
                    minute(t0(), "US", "mobile"), aggregate(40, 1.5, 2.5),
                    minute(t0(), WindowKey.NULL_VALUE, "desktop"), aggregate(0, 3.0),
                    key("p1", "events", WindowSize.ONE_HOUR, t0()), aggregate(7),
                    key("p2", "revenue", WindowSize.FIVE_MINUTES, t0() + 5 * MINUTE, ""), aggregate(1, -2.0));
            Checkpoint cp = new Checkpoint(CONSUMER, LogPosition.of(99), Map.of("p1", t0(), "p2", t0() + 1));
            windows().putAll(values, cp);
            reopenBackend();
            values.forEach((k, v) -> assertSameAggregate(stored(k), v));
            Checkpoint stored = windows().checkpoint(CONSUMER).orElseThrow();
            assertThat(stored.position()).isEqualTo(cp.position());
            assertThat(stored.watermarks()).containsExactlyInAnyOrderEntriesOf(cp.watermarks());
            assertThat(rangeByStart("p1", "revenue", WindowSize.ONE_MINUTE, t0(), t0() + MINUTE).get(t0()))
                    .containsOnlyKeys(List.of("US", "mobile"), List.of(WindowKey.NULL_VALUE, "desktop"));
        }

        @Test
        void theLatestOverwriteIsWhatSurvivesAReopen() {
            put(minute(t0(), "US"), aggregate(0, 1.0));
            put(minute(t0(), "US"), aggregate(0, 2.0, 2.0));
            reopenBackend();
            assertSameAggregate(stored(minute(t0(), "US")), aggregate(0, 2.0, 2.0));
        }
    }
}
