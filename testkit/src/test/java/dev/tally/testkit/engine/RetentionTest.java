package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.ConfigurationException;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.RetentionSummary;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.Warehouse;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention on the local backend: old archive hours move to the cold prefix and stay queryable (rollups read
 * them there), older ones are deleted with their metadata, old aggregates go, the event log drops consumed
 * days, and the schedule runs on the engine clock.
 */
class RetentionTest {
    private static final Instant T0 = TestClock.DEFAULT_START; // 2024-01-15T10:00:00Z

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.at(T0);

    /** With per-event {@code events_metadata} rows on, since retention deletes them with their files. */
    private Tally open(Map<String, String> settings) {
        return Tally.builder().dataDir(dir).clock(clock).setting("tally.archive.event-metadata", "true")
                .settings(settings).build();
    }

    private static Tally.Builder builder() {
        return Tally.builder();
    }

    /** {@code n} purchases of amount 10 in the hour starting at {@code hour}. */
    private static List<Event> purchases(String prefix, Instant hour, int n) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Event.builder("purchase").eventId(prefix + i).userId("u" + (i % 5)).timestamp(hour.plusSeconds(i * 30L))
                    .property("amount", 10).country(i % 2 == 0 ? "US" : "DE").build());
        }
        return out;
    }

    private static List<MetricPoint> daily(Tally tally, String metric, Instant day) {
        return tally.query(MetricQuery.metric(metric).between(day, day.plus(Duration.ofDays(1)))
                .granularity(Granularity.DAY).build()).points();
    }

    private static List<String> keys(Tally tally) {
        return tally.backend().warehouse().archivedFiles("default").stream().map(Warehouse.ArchivedFile::key).toList();
    }

    @Test
    void oldHoursMoveToTheColdPrefixAndStayQueryableAndRollUpFromThere() {
        Instant old = T0.minus(Duration.ofDays(45)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Instant recent = T0.minus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        try (Tally tally = open(Map.of("tally.retention.scheduled", "false"))) {
            tally.importEvents(purchases("old", old.plus(Duration.ofHours(5)), 20));
            tally.importEvents(purchases("new", recent.plus(Duration.ofHours(5)), 10));
            tally.awaitIdle();
            List<MetricPoint> before = daily(tally, "event_count", old);
            assertThat(before).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(20.0));

            RetentionSummary summary = tally.runRetention();

            assertThat(summary.filesMovedToCold()).isEqualTo(1);
            assertThat(summary.filesDeleted()).isZero();
            assertThat(keys(tally)).containsExactly(
                    "default/cold/events/year=2023/month=12/day=01/hour=05/part-00000.parquet",
                    "default/events/year=2024/month=01/day=12/hour=05/part-00000.parquet");
            assertThat(tally.backend().objects().list("default/events/year=2023/")).isEmpty();
            assertThat(tally.backend().warehouse().eventMetadata("default", "old3").orElseThrow().storagePath())
                    .startsWith("default/cold/events/");
            assertThat(daily(tally, "event_count", old)).isEqualTo(before);
            assertThat(tally.runRetention().filesMovedToCold()).as("a second run has nothing to move").isZero();

            // A metric defined now is rolled up over the whole archive: the cold file is read where it is.
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            tally.awaitIdle();
            assertThat(daily(tally, "revenue", old)).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(200.0));
            assertThat(daily(tally, "revenue", recent)).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(100.0));
        }
    }

    @Test
    void rawEventsAndAggregatesPastTheirRetentionAreDeleted() {
        Instant expired = T0.minus(Duration.ofDays(100)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Instant kept = T0.minus(Duration.ofDays(50)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        try (Tally tally = open(Map.of("tally.retention.scheduled", "false", "tally.retention.raw", "60d",
                "tally.retention.aggregates", "90d"))) {
            tally.importEvents(purchases("x", expired.plus(Duration.ofHours(1)), 12));
            tally.importEvents(purchases("k", kept.plus(Duration.ofHours(1)), 7));
            tally.awaitIdle();
            assertThat(tally.backend().warehouse().countEventMetadata("default")).isEqualTo(19);

            RetentionSummary summary = tally.runRetention();

            assertThat(summary.filesDeleted()).isEqualTo(1);
            assertThat(summary.eventRowsDeleted()).isEqualTo(12);
            assertThat(summary.filesMovedToCold()).isEqualTo(1);
            assertThat(summary.aggregatesDeleted()).isPositive();
            assertThat(tally.backend().warehouse().countEventMetadata("default")).isEqualTo(7);
            assertThat(tally.backend().warehouse().eventMetadata("default", "x0")).isEmpty();
            assertThat(tally.backend().objects().list("default/")).extracting(ObjectStore.ObjectInfo::key)
                    .containsExactly("default/cold/events/year=2023/month=11/day=26/hour=01/part-00000.parquet");
            assertThat(daily(tally, "event_count", expired)).isEmpty();
            assertThat(daily(tally, "event_count", kept)).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(7.0));
        }
    }

    @Test
    void theLogDropsConsumedDaysPastItsRetentionAndTheEngineReopensOnWhatIsLeft() throws IOException {
        Map<String, String> settings = Map.of("tally.retention.scheduled", "false", "tally.archive.enabled", "true");
        try (Tally tally = open(settings)) {
            for (int day = 0; day < 10; day++) {
                tally.ingest(purchases("d" + day + "-", clock.instant(), 3));
                clock.advance(Duration.ofDays(1));
            }
            tally.ingest(purchases("today-", clock.instant(), 3));
            tally.awaitIdle();
            long filesBefore = logFiles();

            RetentionSummary summary = tally.runRetention();

            assertThat(summary.logBytesFreed()).isPositive();
            assertThat(logFiles()).as("days older than 7 dropped").isEqualTo(filesBefore - 3);
            assertThat(tally.runRetention().logBytesFreed()).isZero();
        }
        try (Tally tally = open(settings)) {
            // The dedup index is rebuilt from the log that is left: it covers the last 24 h.
            assertThat(tally.ingest(purchases("today-", clock.instant(), 1)).duplicates()).isEqualTo(1);
            tally.awaitIdle();
            Instant today = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
            assertThat(daily(tally, "event_count", today)).singleElement()
                    .satisfies(p -> assertThat(p.value()).isEqualTo(3.0));
        }
    }

    private long logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            return files.filter(f -> f.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void theScheduleRunsOnTheEngineClock() {
        Instant old = T0.minus(Duration.ofDays(40));
        try (Tally tally = open(Map.of())) {
            tally.importEvents(purchases("old", old, 4));
            tally.awaitIdle();
            assertThat(keys(tally)).allSatisfy(k -> assertThat(k).startsWith("default/events/"));
            clock.advance(Duration.ofMinutes(2));
            tally.awaitIdle();
            assertThat(keys(tally)).singleElement().satisfies(k -> assertThat(k).startsWith("default/cold/events/"));
        }
    }

    @Test
    void settingsThatWouldLoseDataAreRefused() {
        assertThatThrownBy(() -> builder().dataDir(dir).settings(Map.of("tally.retention.log", "1h")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.retention.log");
        assertThatThrownBy(() -> builder().dataDir(dir).settings(Map.of("tally.retention.raw", "3000d")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.retention.raw");
        assertThatThrownBy(() -> builder().dataDir(dir).settings(Map.of("tally.retention.hot", "0s")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.retention.hot");
    }
}
