package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.ReplaySummary;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rebuilding the real-time windows from the log: the same answers for an intact store, the original ones again
 * after the windows were damaged or dropped, late events neither counted nor listed twice, and a replay cut
 * short by a restart finishes the same way.
 */
class ReplayTest {
    private static final Instant T0 = TestClock.DEFAULT_START; // 2024-01-15T10:00:00Z
    private static final Instant START = T0.minus(Duration.ofHours(3));

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.at(T0);

    private Tally open() {
        return Tally.builder().dataDir(dir).clock(clock)
                .settings(Map.of("tally.archive.enabled", "false", "tally.retention.scheduled", "false")).build();
    }

    /** Three hours of purchases in two projects, arriving out of order, some too late for their window. */
    private static void ingestHistory(Tally tally) {
        tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
        tally.createProject("other");
        Random random = new Random(11);
        for (int i = 0; i < 400; i++) {
            // mostly in order, with jitter up to 10 minutes back: some events land beyond the 5 minute lateness
            Instant at = START.plusSeconds(i * 27L).minusSeconds(random.nextInt(600));
            Event e = Event.builder("purchase").eventId("p" + i).userId("u" + random.nextInt(40)).timestamp(at)
                    .property("amount", random.nextInt(50)).country(random.nextBoolean() ? "US" : "BR").build();
            if (i % 5 == 0) {
                tally.project("other").ingest(e);
            } else {
                tally.ingest(e);
            }
        }
        tally.awaitIdle();
    }

    private static Map<String, List<MetricPoint>> answers(Tally tally) {
        Map<String, List<MetricPoint>> out = new LinkedHashMap<>();
        for (Granularity g : List.of(Granularity.MINUTE, Granularity.FIVE_MINUTES, Granularity.HOUR)) {
            out.put("revenue " + g, tally.query(MetricQuery.metric("revenue").between(START.minus(Duration.ofHours(1)),
                    T0.plus(Duration.ofHours(1))).granularity(g).groupBy("country").build()).points());
            out.put("events " + g, tally.query(MetricQuery.metric("event_count").between(START.minus(Duration.ofHours(1)),
                    T0.plus(Duration.ofHours(1))).granularity(g).build()).points());
            out.put("other " + g, tally.project("other").query(MetricQuery.metric("event_count")
                    .between(START.minus(Duration.ofHours(1)), T0.plus(Duration.ofHours(1))).granularity(g).build()).points());
        }
        out.put("uniques", tally.query(MetricQuery.metric("unique_users").between(START.minus(Duration.ofHours(1)), T0)
                .granularity(Granularity.ALL).build()).points());
        return out;
    }

    @Test
    void replayingAnIntactStoreChangesNoAnswerAndListsNoLateEventTwice() {
        try (Tally tally = open()) {
            ingestHistory(tally);
            Map<String, List<MetricPoint>> before = answers(tally);
            int late = tally.rejectedEvents(1000).size();
            assertThat(late).as("the history has late events").isPositive();

            ReplaySummary summary = tally.replay(T0.minus(Duration.ofMinutes(100)));
            tally.awaitIdle();

            assertThat(summary.from()).isEqualTo(T0.minus(Duration.ofHours(2)));
            assertThat(summary.logAfter()).as("records were re-read").isNotEqualTo(summary.logUntil());
            assertThat(answers(tally)).isEqualTo(before);
            assertThat(tally.rejectedEvents(1000)).hasSize(late);
        }
    }

    @Test
    void damagedAndDroppedWindowsAreRebuiltToTheOriginalAnswers() {
        try (Tally tally = open()) {
            ingestHistory(tally);
            Map<String, List<MetricPoint>> before = answers(tally);
            Checkpoint checkpoint = tally.backend().windows().checkpoint("aggregator").orElseThrow();
            Aggregate bogus = Aggregate.empty();
            for (int i = 0; i < 1000; i++) {
                bogus.addEvent();
            }
            Map<WindowKey, Aggregate> damage = new HashMap<>();
            for (WindowSize size : WindowSize.values()) {
                long start = size.startOf(T0.minus(Duration.ofMinutes(30)).toEpochMilli());
                damage.put(new WindowKey("default", "event_count", size, start, List.of("purchase")), bogus);
            }
            tally.backend().windows().putAll(damage, checkpoint);
            tally.backend().windows().expireBefore(START.plus(Duration.ofHours(1)));
            assertThat(answers(tally)).isNotEqualTo(before);

            tally.replay(START.minus(Duration.ofHours(1)));
            tally.awaitIdle();

            assertThat(answers(tally)).isEqualTo(before);
        }
    }

    @Test
    void eventsAfterAReplayCountOnceAndAReplayCutShortByARestartFinishesTheSameWay() {
        Map<String, List<MetricPoint>> before;
        try (Tally tally = open()) {
            ingestHistory(tally);
            before = answers(tally);
            tally.replay(START);
            // closed at once: the aggregator stops mid-replay with the replay's bounds in its checkpoint
        }
        try (Tally tally = open()) {
            tally.awaitIdle();
            assertThat(answers(tally)).isEqualTo(before);
            tally.ingest(Event.builder("purchase").eventId("after").userId("u1").timestamp(T0)
                    .property("amount", 1000).country("US").build());
            tally.awaitIdle();
            List<MetricPoint> hourly = tally.query(MetricQuery.metric("revenue").between(T0, T0.plusSeconds(3600))
                    .granularity(Granularity.HOUR).groupBy("country").build()).points();
            List<MetricPoint> hourlyBefore = before.get("revenue " + Granularity.HOUR).stream()
                    .filter(p -> p.timestamp().equals(T0)).toList();
            double usBefore = hourlyBefore.stream().filter(p -> "US".equals(p.dimensions().get("country")))
                    .mapToDouble(MetricPoint::value).sum();
            assertThat(hourly.stream().filter(p -> "US".equals(p.dimensions().get("country")))
                    .mapToDouble(MetricPoint::value).sum()).isEqualTo(usBefore + 1000);
        }
    }

    @Test
    void aReplayFromTheFutureIsRefused() {
        try (Tally tally = open()) {
            assertThatThrownBy(() -> tally.replay(T0.plusSeconds(60)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("after the engine's current time");
            assertThatThrownBy(() -> tally.replay(null)).isInstanceOf(InvalidRequestException.class);
        }
    }
}
