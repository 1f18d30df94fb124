package dev.tally.testkit.contract;

import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The contract of {@link EventLog}: the durable, ordered, replayable log between ingest and the aggregator.
 *
 * <p>What it pins down: records come back in append order with their project, id and payload intact; a poll
 * returns at most what was asked for and never blocks much longer than its timeout; a consumer resumes right
 * after a {@link LogPosition} it was given, without skipping or repeating records; {@link EventLog#endPosition()}
 * is covered exactly when everything appended has been consumed; and all of it holds after the backend is
 * closed and reopened.
 *
 * <p>Ordering is asserted per project only where several projects share the log, because a partitioned log
 * (one partition per project key) orders within a partition, not across partitions.
 *
 * <p>Retention: {@link EventLog#positionAt} finds where the records appended from a time on begin, and
 * {@link EventLog#truncate} drops only records that are both consumed and old enough, never the record consumers
 * resume at nor anything after it; the cases move the {@link #clock} over days, since logs drop whole segments
 * (a local log rolls its files daily by the engine clock).
 *
 * <p>Reads poll in a loop with short timeouts until the expected records arrive or {@link #READ_DEADLINE}
 * passes, so asynchronous backends pass without sleeps.
 */
public abstract class EventLogContract extends BackendContract {
    /** How long a test waits for records it appended before failing. */
    protected static final Duration READ_DEADLINE = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    private EventLog log() {
        return backend.eventLog();
    }

    private static LogRecord record(String projectId, String eventId) {
        return new LogRecord(projectId, eventId, ("payload of " + eventId).getBytes(StandardCharsets.UTF_8));
    }

    private static List<LogRecord> records(String projectId, String... eventIds) {
        List<LogRecord> out = new ArrayList<>();
        for (String id : eventIds) {
            out.add(record(projectId, id));
        }
        return out;
    }

    /** A comparable form of a record: project, id and payload bytes (records compare arrays by identity). */
    private static String describe(LogRecord r) {
        return r.projectId() + "|" + r.eventId() + "|" + HexFormat.of().formatHex(r.payload());
    }

    private static List<String> describe(List<LogRecord> records) {
        return records.stream().map(EventLogContract::describe).toList();
    }

    private record Read(List<LogRecord> records, LogPosition position) {
    }

    /** Polls until {@code expected} records have arrived; fails after {@link #READ_DEADLINE}. */
    private static Read read(EventLog.Subscription subscription, int expected, LogPosition start) {
        List<LogRecord> out = new ArrayList<>();
        LogPosition position = start;
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        while (out.size() < expected) {
            if (System.nanoTime() > deadline) {
                fail("read " + out.size() + " of " + expected + " records within " + READ_DEADLINE + ": " + describe(out));
            }
            LogBatch batch = subscription.poll(expected - out.size(), POLL);
            out.addAll(batch.records());
            position = batch.position();
        }
        return new Read(out, position);
    }

    private Read readAll(String consumer, LogPosition after, int expected) {
        try (EventLog.Subscription s = log().subscribe(consumer, after)) {
            Read read = read(s, expected, after);
            assertThat(s.poll(100, Duration.ofMillis(50)).records()).as("records past the expected ones").isEmpty();
            return read;
        }
    }

    @Nested
    @DisplayName("append and subscribe")
    class AppendAndSubscribe {
        @Test
        void aSubscriberFromTheBeginningReadsRecordsInAppendOrder() {
            log().append("p1", records("p1", "e1", "e2", "e3"));
            Read read = readAll("c", LogPosition.NONE, 3);
            assertThat(describe(read.records())).containsExactlyElementsOf(describe(records("p1", "e1", "e2", "e3")));
        }

        @Test
        void payloadBytesComeBackUnchangedIncludingEmptyAndBinaryPayloads() {
            byte[] binary = new byte[256];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            List<LogRecord> appended = List.of(new LogRecord("p1", "empty", new byte[0]),
                    new LogRecord("p1", "binary", binary),
                    new LogRecord("p1", "unicode-\u00e9\u4e2d", "{\"k\":\"\u00fc\"}".getBytes(StandardCharsets.UTF_8)));
            log().append("p1", appended);
            assertThat(describe(readAll("c", LogPosition.NONE, 3).records())).containsExactlyElementsOf(describe(appended));
        }

        @Test
        void successiveBatchesAreReadInTheOrderTheyWereAppended() {
            log().append("p1", records("p1", "a1", "a2", "a3"));
            log().append("p1", records("p1", "b1"));
            log().append("p1", records("p1", "c1", "c2"));
            assertThat(readAll("c", LogPosition.NONE, 6).records()).extracting(LogRecord::eventId)
                    .containsExactly("a1", "a2", "a3", "b1", "c1", "c2");
        }

        @Test
        void anEmptyAppendAddsNothing() {
            log().append("p1", records("p1", "e1"));
            LogPosition end = log().endPosition();
            log().append("p1", List.of());
            assertThat(log().endPosition()).isEqualTo(end);
            assertThat(readAll("c", LogPosition.NONE, 1).records()).extracting(LogRecord::eventId).containsExactly("e1");
        }

        @Test
        void twoConsumersEachReadTheWholeLogIndependently() {
            log().append("p1", records("p1", "e1", "e2"));
            try (EventLog.Subscription first = log().subscribe("first", LogPosition.NONE);
                 EventLog.Subscription second = log().subscribe("second", LogPosition.NONE)) {
                assertThat(read(first, 2, LogPosition.NONE).records()).extracting(LogRecord::eventId)
                        .containsExactly("e1", "e2");
                assertThat(read(second, 2, LogPosition.NONE).records()).extracting(LogRecord::eventId)
                        .containsExactly("e1", "e2");
            }
        }

        @Test
        void aSubscriberSeesRecordsAppendedAfterItSubscribed() {
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                assertThat(s.poll(10, Duration.ofMillis(50)).records()).isEmpty();
                log().append("p1", records("p1", "late"));
                assertThat(read(s, 1, LogPosition.NONE).records()).extracting(LogRecord::eventId).containsExactly("late");
            }
        }
    }

    @Nested
    @DisplayName("poll limits and timeouts")
    class PollLimits {
        @Test
        void pollReturnsAtMostMaxRecordsAcrossSeparateAppends() {
            for (int i = 0; i < 5; i++) {
                log().append("p1", records("p1", "e" + i));
            }
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                List<LogRecord> seen = new ArrayList<>();
                long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
                while (seen.size() < 5 && System.nanoTime() < deadline) {
                    LogBatch batch = s.poll(2, POLL);
                    assertThat(batch.records()).hasSizeLessThanOrEqualTo(2);
                    seen.addAll(batch.records());
                }
                assertThat(seen).extracting(LogRecord::eventId).containsExactly("e0", "e1", "e2", "e3", "e4");
            }
        }

        @Test
        void pollNeverSplitsOneAppendedBatchAndStopsAtMaxRecordsBetweenBatches() {
            log().append("p1", records("p1", "e0", "e1", "e2", "e3", "e4"));
            log().append("p1", records("p1", "e5"));
            log().append("p1", records("p1", "e6"));
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                List<List<String>> polls = new ArrayList<>();
                long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
                int seen = 0;
                while (seen < 7 && System.nanoTime() < deadline) {
                    LogBatch batch = s.poll(2, POLL);
                    if (!batch.isEmpty()) {
                        polls.add(batch.records().stream().map(LogRecord::eventId).toList());
                        seen += batch.records().size();
                    }
                }
                assertThat(polls.get(0)).as("a whole appended batch, even past maxRecords")
                        .containsExactly("e0", "e1", "e2", "e3", "e4");
                assertThat(polls.stream().flatMap(List::stream))
                        .containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6");
                assertThat(polls).allSatisfy(p -> assertThat(p.size() <= 2 || p.size() == 5).isTrue());
            }
        }

        @Test
        void pollOnAnEmptyLogReturnsAnEmptyBatchSoonAfterItsTimeout() {
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                long started = System.nanoTime();
                LogBatch batch = s.poll(10, Duration.ofMillis(200));
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(batch.isEmpty()).isTrue();
                assertThat(batch.records()).isEmpty();
                assertThat(took).isLessThan(Duration.ofSeconds(3));
            }
        }

        @Test
        void pollOfACaughtUpConsumerReturnsAnEmptyBatchAtTheSamePosition() {
            log().append("p1", records("p1", "e1", "e2"));
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                LogPosition caughtUp = read(s, 2, LogPosition.NONE).position();
                long started = System.nanoTime();
                LogBatch empty = s.poll(10, Duration.ofMillis(200));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
                assertThat(empty.records()).isEmpty();
                assertThat(empty.position().covers(caughtUp)).as("position after an empty poll covers " + caughtUp).isTrue();
                assertThat(caughtUp.covers(empty.position())).as("an empty poll does not move the position").isTrue();
            }
        }

        @Test
        void aWaitingPollReturnsSoonAfterRecordsAreAppended() throws Exception {
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                long started = System.nanoTime();
                Future<LogBatch> polled = executor.submit(() -> s.poll(10, Duration.ofSeconds(60)));
                log().append("p1", records("p1", "wake-up"));
                LogBatch batch = polled.get(30, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
                assertThat(batch.records()).extracting(LogRecord::eventId).containsExactly("wake-up");
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Nested
    @DisplayName("positions and resuming")
    class Positions {
        @Test
        void resumingAfterAPositionReadsExactlyTheRecordsAfterIt() {
            log().append("p1", records("p1", "a1", "a2"));
            log().append("p1", records("p1", "b1"));
            LogPosition afterFirstTwo;
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                afterFirstTwo = read(s, 2, LogPosition.NONE).position();
            }
            log().append("p1", records("p1", "c1", "c2"));
            assertThat(readAll("c", afterFirstTwo, 3).records()).extracting(LogRecord::eventId)
                    .containsExactly("b1", "c1", "c2");
        }

        @Test
        void resumingAfterEachSingleRecordNeitherSkipsNorRepeats() {
            for (int i = 0; i < 4; i++) {
                log().append("p1", records("p1", "e" + i));
            }
            LogPosition position = LogPosition.NONE;
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                try (EventLog.Subscription s = log().subscribe("c", position)) {
                    Read one = read(s, 1, position);
                    assertThat(one.records()).hasSize(1);
                    seen.add(one.records().get(0).eventId());
                    position = one.position();
                }
            }
            assertThat(seen).containsExactly("e0", "e1", "e2", "e3");
            assertThat(readAll("c", position, 0).records()).isEmpty();
        }

        @Test
        void resumingAfterTheEndPositionReadsOnlyLaterAppends() {
            log().append("p1", records("p1", "old1", "old2"));
            LogPosition end = log().endPosition();
            try (EventLog.Subscription s = log().subscribe("c", end)) {
                assertThat(s.poll(10, Duration.ofMillis(50)).records()).isEmpty();
                log().append("p1", records("p1", "new1"));
                assertThat(read(s, 1, end).records()).extracting(LogRecord::eventId).containsExactly("new1");
            }
        }

        @Test
        void theStartPositionIsReportedUntilSomethingIsRead() {
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                LogBatch empty = s.poll(10, Duration.ofMillis(20));
                assertThat(LogPosition.NONE.covers(empty.position())).isTrue();
            }
        }
    }

    @Nested
    @DisplayName("end position")
    class EndPosition {
        @Test
        void aFreshLogEndsWhereNothingHasBeenConsumed() {
            assertThat(LogPosition.NONE.covers(log().endPosition())).isTrue();
        }

        @Test
        void endPositionMovesForwardWithEachAppend() {
            log().append("p1", records("p1", "e1"));
            LogPosition first = log().endPosition();
            assertThat(LogPosition.NONE.covers(first)).isFalse();
            log().append("p1", records("p1", "e2"));
            LogPosition second = log().endPosition();
            assertThat(second.covers(first)).isTrue();
            assertThat(first.covers(second)).isFalse();
        }

        @Test
        void endPositionIsCoveredOnlyOnceEveryAppendedRecordIsConsumed() {
            log().append("p1", records("p1", "e1"));
            log().append("p1", records("p1", "e2"));
            log().append("p1", records("p1", "e3"));
            LogPosition end = log().endPosition();
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                Read first = read(s, 1, LogPosition.NONE);
                assertThat(first.position().covers(end)).as("after one of three records").isFalse();
                Read rest = read(s, 2, first.position());
                assertThat(rest.position().covers(end)).as("after all records").isTrue();
            }
        }

        @Test
        void endPositionCoversEveryProjectsAppends() {
            log().append("p1", records("p1", "a1"));
            log().append("p2", records("p2", "b1"));
            LogPosition end = log().endPosition();
            Read all = readAll("c", LogPosition.NONE, 2);
            assertThat(all.position().covers(end)).isTrue();
        }
    }

    @Nested
    @DisplayName("several projects in one log")
    class SeveralProjects {
        @Test
        void recordsOfEveryProjectAreReadWithTheirProjectAndInOrderPerProject() {
            log().append("p1", records("p1", "a1", "a2"));
            log().append("p2", records("p2", "b1"));
            log().append("p1", records("p1", "a3"));
            log().append("p2", records("p2", "b2", "b3"));
            List<LogRecord> all = readAll("c", LogPosition.NONE, 6).records();
            assertThat(all.stream().filter(r -> r.projectId().equals("p1")).map(LogRecord::eventId))
                    .containsExactly("a1", "a2", "a3");
            assertThat(all.stream().filter(r -> r.projectId().equals("p2")).map(LogRecord::eventId))
                    .containsExactly("b1", "b2", "b3");
            assertThat(describe(all)).containsExactlyInAnyOrderElementsOf(describe(List.of(
                    record("p1", "a1"), record("p1", "a2"), record("p2", "b1"), record("p1", "a3"),
                    record("p2", "b2"), record("p2", "b3"))));
        }

        @Test
        void theSameEventIdInTwoProjectsIsTwoRecords() {
            log().append("p1", records("p1", "same"));
            log().append("p2", records("p2", "same"));
            assertThat(readAll("c", LogPosition.NONE, 2).records()).extracting(LogRecord::projectId)
                    .containsExactlyInAnyOrder("p1", "p2");
        }
    }

    @Nested
    @DisplayName("durability across a reopen")
    class Durability {
        @Test
        void appendedRecordsAreReadAfterAReopen() {
            log().append("p1", records("p1", "e1", "e2"));
            log().append("p2", records("p2", "f1"));
            reopenBackend();
            List<LogRecord> all = readAll("c", LogPosition.NONE, 3).records();
            assertThat(describe(all)).containsExactlyInAnyOrderElementsOf(
                    describe(List.of(record("p1", "e1"), record("p1", "e2"), record("p2", "f1"))));
            assertThat(all.stream().filter(r -> r.projectId().equals("p1")).map(LogRecord::eventId))
                    .containsExactly("e1", "e2");
        }

        @Test
        void endPositionIsTheSameAfterAReopen() {
            log().append("p1", records("p1", "e1", "e2"));
            LogPosition before = log().endPosition();
            reopenBackend();
            LogPosition after = log().endPosition();
            assertThat(after.covers(before)).isTrue();
            assertThat(before.covers(after)).isTrue();
        }

        @Test
        void aPositionTakenBeforeAReopenResumesAfterIt() {
            log().append("p1", records("p1", "e1"));
            log().append("p1", records("p1", "e2"));
            LogPosition afterFirst;
            try (EventLog.Subscription s = log().subscribe("c", LogPosition.NONE)) {
                afterFirst = read(s, 1, LogPosition.NONE).position();
            }
            reopenBackend();
            log().append("p1", records("p1", "e3"));
            assertThat(readAll("c", afterFirst, 2).records()).extracting(LogRecord::eventId).containsExactly("e2", "e3");
        }

        @Test
        void appendsAfterAReopenFollowTheEarlierOnes() {
            log().append("p1", records("p1", "before"));
            LogPosition endBefore = log().endPosition();
            reopenBackend();
            log().append("p1", records("p1", "after"));
            assertThat(log().endPosition().covers(endBefore)).isTrue();
            assertThat(endBefore.covers(log().endPosition())).isFalse();
            assertThat(readAll("c", LogPosition.NONE, 2).records()).extracting(LogRecord::eventId)
                    .containsExactly("before", "after");
        }
    }

    /** Appends one single-record batch per id, then moves the clock a day on. */
    private void appendDay(String... eventIds) {
        for (String id : eventIds) {
            log().append("p1", records("p1", id));
        }
        clock.advance(Duration.ofDays(1));
    }

    private List<String> idsAfter(LogPosition position, int expected) {
        return readAll("c", position, expected).records().stream().map(LogRecord::eventId).toList();
    }

    @Nested
    @DisplayName("finding records by append time")
    class PositionAt {
        @Test
        void subscribingAfterThePositionOfATimeReadsExactlyTheRecordsAppendedFromThen() {
            log().append("p1", records("p1", "early1", "early2"));
            clock.advance(Duration.ofMinutes(10));
            Instant cut = clock.instant();
            log().append("p1", records("p1", "at-cut"));
            clock.advance(Duration.ofMinutes(10));
            log().append("p1", records("p1", "later"));
            assertThat(idsAfter(log().positionAt(cut), 2)).containsExactly("at-cut", "later");
        }

        @Test
        void aTimeInAnEarlierDayFileFindsTheFirstRecordOfTheNextOne() {
            appendDay("d1-a", "d1-b");
            Instant secondDay = clock.instant();
            appendDay("d2-a");
            log().append("p1", records("p1", "d3-a"));
            assertThat(idsAfter(log().positionAt(secondDay), 2)).containsExactly("d2-a", "d3-a");
            assertThat(idsAfter(log().positionAt(secondDay.minusSeconds(1)), 2)).containsExactly("d2-a", "d3-a");
        }

        @Test
        void aTimeBeforeEveryRecordReadsTheWholeLog() {
            Instant before = clock.instant().minusSeconds(60);
            log().append("p1", records("p1", "e1", "e2"));
            assertThat(idsAfter(log().positionAt(before), 2)).containsExactly("e1", "e2");
        }

        @Test
        void aTimeAfterEveryRecordReadsOnlyLaterAppends() {
            log().append("p1", records("p1", "old"));
            clock.advance(Duration.ofMinutes(1));
            LogPosition position = log().positionAt(clock.instant());
            assertThat(position.covers(log().endPosition())).isTrue();
            log().append("p1", records("p1", "new"));
            assertThat(idsAfter(position, 1)).containsExactly("new");
        }

        @Test
        void anEmptyLogHasNothingToRead() {
            assertThat(LogPosition.NONE.covers(log().positionAt(clock.instant()))).isTrue();
        }
    }

    @Nested
    @DisplayName("truncation")
    class Truncation {
        @Test
        void consumedRecordsOlderThanTheBoundAreDroppedAndTheirBytesCounted() {
            appendDay("d1-a", "d1-b");
            appendDay("d2-a");
            Instant thirdDay = clock.instant();
            log().append("p1", records("p1", "d3-a"));
            long freed = log().truncate(log().endPosition(), thirdDay);
            assertThat(freed).isPositive();
            assertThat(idsAfter(LogPosition.NONE, 1)).containsExactly("d3-a");
        }

        @Test
        void recordsAConsumerHasNotCommittedStayHoweverOld() {
            appendDay("d1-a");
            LogPosition afterFirstDay = log().endPosition();
            appendDay("d2-a");
            appendDay("d3-a");
            log().append("p1", records("p1", "d4-a"));
            log().truncate(afterFirstDay, clock.instant());
            assertThat(idsAfter(afterFirstDay, 3)).as("a consumer resumes where it committed")
                    .containsExactly("d2-a", "d3-a", "d4-a");
        }

        @Test
        void recordsAppendedAfterTheBoundStayEvenWhenConsumed() {
            appendDay("d1-a");
            Instant secondDay = clock.instant();
            appendDay("d2-a");
            appendDay("d3-a");
            log().truncate(log().endPosition(), secondDay);
            List<String> kept = idsAfter(LogPosition.NONE, 2);
            assertThat(kept).containsExactly("d2-a", "d3-a");
        }

        @Test
        void nothingIsDroppedBeforeAnythingIsConsumed() {
            appendDay("d1-a");
            appendDay("d2-a");
            assertThat(log().truncate(LogPosition.NONE, clock.instant())).isZero();
            assertThat(idsAfter(LogPosition.NONE, 2)).containsExactly("d1-a", "d2-a");
        }

        @Test
        void theNewestRecordsStayEvenWhenEverythingIsConsumedAndOld() {
            appendDay("d1-a");
            log().append("p1", records("p1", "d2-a"));
            LogPosition end = log().endPosition();
            clock.advance(Duration.ofDays(30));
            log().truncate(end, clock.instant());
            assertThat(idsAfter(LogPosition.NONE, 1)).contains("d2-a");
            assertThat(log().endPosition()).isEqualTo(end);
        }

        @Test
        void aTruncatedLogReopensKeepsItsEndAndTakesAppends() {
            appendDay("d1-a");
            appendDay("d2-a");
            log().append("p1", records("p1", "d3-a"));
            LogPosition end = log().endPosition();
            log().truncate(end, clock.instant().minusSeconds(1));
            reopenBackend();
            assertThat(log().endPosition()).isEqualTo(end);
            log().append("p1", records("p1", "d3-b"));
            assertThat(idsAfter(LogPosition.NONE, 2)).containsExactly("d3-a", "d3-b");
            assertThat(idsAfter(end, 1)).containsExactly("d3-b");
        }

        @Test
        void positionAtATimeBeforeTheRetainedRecordsReadsWhatIsLeft() {
            Instant start = clock.instant();
            appendDay("d1-a");
            appendDay("d2-a");
            log().append("p1", records("p1", "d3-a"));
            log().truncate(log().endPosition(), clock.instant());
            assertThat(idsAfter(log().positionAt(start), 1)).containsExactly("d3-a");
        }
    }
}
