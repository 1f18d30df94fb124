package dev.tally.testkit.contract;

import dev.tally.api.Aggregation;
import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.Warehouse;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.Warehouse.AggregateRow;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.spi.Warehouse.EventMetadata;
import dev.tally.spi.Warehouse.RollupTask;
import dev.tally.spi.Warehouse.StorageClass;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * The contract of {@link Warehouse}: the durable analytical tables behind rollups, archived-event metadata and
 * the rejected-events listing.
 *
 * <p>What it pins down: rejections are listed newest first per project, up to a limit, with their violations
 * and payload; {@link Warehouse#trimRejections} keeps the newest {@code N} of each project; an aggregate row is
 * replaced by a later row with the same (project, metric, granularity, timestamp, dimensions) and is distinct
 * from rows that differ in any of those, dimensions included; {@link Warehouse#aggregates} returns the rows with
 * {@code from <= timestamp < to} for one metric and granularity; the mergeable {@link Aggregate} state,
 * distinct-users sketch included, round-trips; event metadata is idempotent by (project, eventId) and counted
 * per project, and reads as {@code pending} until its file is committed; the archive manifest lists committed
 * files by project and hour with the archiver's position committed alongside; rollup tasks are the hours with
 * files newer than their last rollup, and a committed rollup replaces its hour's and day's rows; and rows
 * survive a clean reopen.
 *
 * <p>The seed's {@code value} column keeps two decimals, so values here have at most two.
 */
public abstract class WarehouseContract extends BackendContract {

    private Warehouse warehouse() {
        return backend.warehouse();
    }

    private Instant hour(int n) {
        return clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(n));
    }

    private RejectedEvent rejection(String projectId, String eventId, int secondsAfterNow) {
        return new RejectedEvent(projectId, eventId, "purchase", RejectedEvent.Reason.INVALID,
                List.of(new Violation("properties.amount", "type", "amount must be a number")),
                clock.instant().plusSeconds(secondsAfterNow), "{\"eventId\":\"" + eventId + "\"}");
    }

    private static AggregateRow row(String projectId, String metric, String granularity, Instant timestamp, Double value,
                                    Map<String, String> dimensions, Aggregate aggregate) {
        return new AggregateRow(projectId, metric, "sum", granularity, timestamp, value, dimensions, aggregate);
    }

    private AggregateRow hourly(int hour, double value, Map<String, String> dimensions) {
        return row("p1", "revenue", "hour", hour(hour), value, dimensions, aggregate(0, value));
    }

    private static String rowKey(AggregateRow r) {
        return r.projectId() + "|" + r.metric() + "|" + r.granularity() + "|" + r.timestamp() + "|" + r.dimensions();
    }

    private EventMetadata metadata(String projectId, String eventId) {
        Instant ts = clock.instant();
        return new EventMetadata(eventId, "user-1", "purchase", projectId, ts, ts.plusSeconds(1),
                "archive/" + projectId + "/2024/01/15/part-0.parquet", "2024-01-15", "abc123", "processed");
    }

    @Nested
    @DisplayName("rejected events")
    class Rejections {
        @Test
        void rejectionsAreListedNewestFirstWithEverythingRecorded() {
            warehouse().recordRejections(List.of(rejection("p1", "e1", 1), rejection("p1", "e2", 2)));
            warehouse().recordRejections(List.of(rejection("p1", "e3", 3)));
            assertThat(warehouse().rejectedEvents("p1", 10))
                    .containsExactly(rejection("p1", "e3", 3), rejection("p1", "e2", 2), rejection("p1", "e1", 1));
        }

        @Test
        void theLimitKeepsTheNewest() {
            for (int i = 0; i < 5; i++) {
                warehouse().recordRejections(List.of(rejection("p1", "e" + i, i)));
            }
            assertThat(warehouse().rejectedEvents("p1", 2)).extracting(RejectedEvent::eventId).containsExactly("e4", "e3");
        }

        @Test
        void rejectionsAreListedPerProject() {
            warehouse().recordRejections(List.of(rejection("p1", "a", 1), rejection("p2", "b", 2),
                    rejection("p1", "c", 3)));
            assertThat(warehouse().rejectedEvents("p1", 10)).extracting(RejectedEvent::eventId).containsExactly("c", "a");
            assertThat(warehouse().rejectedEvents("p2", 10)).extracting(RejectedEvent::eventId).containsExactly("b");
            assertThat(warehouse().rejectedEvents("p3", 10)).isEmpty();
        }

        @Test
        void lateEventsAndRejectionsWithoutIdOrPayloadAreRecorded() {
            RejectedEvent late = new RejectedEvent("p1", "late-1", "page_view", RejectedEvent.Reason.LATE, List.of(),
                    clock.instant(), "{}");
            RejectedEvent unparsable = new RejectedEvent("p1", null, null, RejectedEvent.Reason.INVALID,
                    List.of(new Violation("$", "invalid_json", "not JSON"), new Violation("eventId", "required", "missing")),
                    clock.instant().plusSeconds(1), null);
            warehouse().recordRejections(List.of(late, unparsable));
            assertThat(warehouse().rejectedEvents("p1", 10)).containsExactly(unparsable, late);
        }

        @Test
        void recordingNothingIsHarmless() {
            warehouse().recordRejections(List.of());
            assertThat(warehouse().rejectedEvents("p1", 10)).isEmpty();
        }

        @Test
        void trimKeepsTheNewestOfEachProject() {
            for (int i = 0; i < 5; i++) {
                warehouse().recordRejections(List.of(rejection("p1", "a" + i, i), rejection("p2", "b" + i, i)));
            }
            warehouse().recordRejections(List.of(rejection("p3", "c0", 0)));
            warehouse().trimRejections(2);
            assertThat(warehouse().rejectedEvents("p1", 10)).extracting(RejectedEvent::eventId).containsExactly("a4", "a3");
            assertThat(warehouse().rejectedEvents("p2", 10)).extracting(RejectedEvent::eventId).containsExactly("b4", "b3");
            assertThat(warehouse().rejectedEvents("p3", 10)).extracting(RejectedEvent::eventId).containsExactly("c0");
        }

        @Test
        void trimToTheCurrentCountKeepsEverything() {
            for (int i = 0; i < 3; i++) {
                warehouse().recordRejections(List.of(rejection("p1", "e" + i, i)));
            }
            warehouse().trimRejections(3);
            assertThat(warehouse().rejectedEvents("p1", 10)).hasSize(3);
        }

        @Test
        void trimToZeroDropsEverything() {
            warehouse().recordRejections(List.of(rejection("p1", "e1", 1), rejection("p2", "e2", 2)));
            warehouse().trimRejections(0);
            assertThat(warehouse().rejectedEvents("p1", 10)).isEmpty();
            assertThat(warehouse().rejectedEvents("p2", 10)).isEmpty();
        }

        @Test
        void newRejectionsAfterATrimAreListedFirst() {
            for (int i = 0; i < 4; i++) {
                warehouse().recordRejections(List.of(rejection("p1", "old" + i, i)));
            }
            warehouse().trimRejections(1);
            warehouse().recordRejections(List.of(rejection("p1", "new", 10)));
            assertThat(warehouse().rejectedEvents("p1", 10)).extracting(RejectedEvent::eventId)
                    .containsExactly("new", "old3");
        }
    }

    @Nested
    @DisplayName("an event's fate: rejections by id and duplicate counts")
    class Fates {
        @Test
        void rejectionsOfOneIdAreListedNewestFirstAndOnlyThatIdsAndProjects() {
            warehouse().recordRejections(List.of(rejection("p1", "e1", 0), rejection("p1", "e2", 1),
                    rejection("p2", "e1", 2), rejection("p1", "e1", 3)));
            assertThat(warehouse().rejections("p1", "e1", 10)).extracting(RejectedEvent::eventId, RejectedEvent::recordedAt)
                    .containsExactly(tuple("e1", clock.instant().plusSeconds(3)), tuple("e1", clock.instant()));
            assertThat(warehouse().rejections("p1", "e1", 1)).hasSize(1);
            assertThat(warehouse().rejections("p1", "nope", 10)).isEmpty();
        }

        @Test
        void duplicatesAddUpPerIdAcrossCallsAndWithinOne() {
            assertThat(warehouse().duplicates("p1", "e1")).isZero();
            warehouse().recordDuplicates("p1", List.of("e1", "e2", "e1"), clock.instant());
            warehouse().recordDuplicates("p1", List.of("e1"), clock.instant().plusSeconds(5));
            assertThat(warehouse().duplicates("p1", "e1")).isEqualTo(3);
            assertThat(warehouse().duplicates("p1", "e2")).isEqualTo(1);
            assertThat(warehouse().duplicates("p2", "e1")).as("another project").isZero();
        }

        @Test
        void trimmingDuplicatesForgetsOnlyThoseLastSeenBeforeTheCutoff() {
            warehouse().recordDuplicates("p1", List.of("old"), clock.instant());
            warehouse().recordDuplicates("p1", List.of("recent"), clock.instant().plus(Duration.ofHours(2)));
            warehouse().trimDuplicates(clock.instant().plus(Duration.ofHours(1)));
            assertThat(warehouse().duplicates("p1", "old")).isZero();
            assertThat(warehouse().duplicates("p1", "recent")).isEqualTo(1);
        }

        @Test
        void duplicateCountsSurviveAReopen() {
            warehouse().recordDuplicates("p1", List.of("e1", "e1"), clock.instant());
            reopenBackend();
            assertThat(warehouse().duplicates("p1", "e1")).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("aggregates")
    class Aggregates {
        @Test
        void anUpsertedRowIsReadBackWithEveryColumn() {
            Aggregate state = aggregate(120, 10.25, 20.5, 30.75);
            AggregateRow row = new AggregateRow("p1", "revenue", "sum", "hour", hour(0), 61.5,
                    Map.of("country", "US", "device", "mobile"), state);
            warehouse().upsertAggregates(List.of(row));
            List<AggregateRow> read = warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1));
            assertThat(read).singleElement().satisfies(r -> {
                assertThat(r.projectId()).isEqualTo("p1");
                assertThat(r.metric()).isEqualTo("revenue");
                assertThat(r.metricType()).isEqualTo("sum");
                assertThat(r.granularity()).isEqualTo("hour");
                assertThat(r.timestamp()).isEqualTo(hour(0));
                assertThat(r.value()).isEqualTo(61.5);
                assertThat(r.dimensions()).isEqualTo(Map.of("country", "US", "device", "mobile"));
                assertSameAggregate(r.aggregate(), state);
            });
        }

        @Test
        void theAggregateStateRoundTripsIncludingTheUniqueUsersSketch() {
            Aggregate buyers = Aggregate.empty();
            for (int u = 0; u < 5_000; u++) {
                buyers.addEvent();
                buyers.addUser("buyer-" + u);
            }
            warehouse().upsertAggregates(List.of(new AggregateRow("p1", "buyers", "unique", "day", hour(0),
                    (double) Math.round(buyers.distinctUsers()), Map.of(), buyers)));
            Aggregate read = warehouse().aggregates("p1", "buyers", "day", hour(0), hour(24)).get(0).aggregate();
            assertSameAggregate(read, buyers);
            assertThat(read.distinctUsers()).isCloseTo(5_000, within(5_000 * 0.05));
            Aggregate more = Aggregate.empty();
            more.addUser("buyer-0");
            more.addUser("someone-new");
            read.merge(more);
            assertThat(read.distinctUsers()).isGreaterThan(buyers.distinctUsers());
        }

        @Test
        void anEmptyAggregateAndANullValueRoundTrip() {
            warehouse().upsertAggregates(List.of(row("p1", "min_order", "hour", hour(0), null, Map.of(),
                    Aggregate.empty())));
            AggregateRow read = warehouse().aggregates("p1", "min_order", "hour", hour(0), hour(1)).get(0);
            assertThat(read.value()).isNull();
            assertSameAggregate(read.aggregate(), Aggregate.empty());
            assertThat(read.aggregate().value(Aggregation.MIN)).isNull();
        }

        @Test
        void anUpsertWithTheSameKeyReplacesTheRow() {
            Map<String, String> dims = Map.of("country", "US");
            warehouse().upsertAggregates(List.of(hourly(0, 10.0, dims)));
            warehouse().upsertAggregates(List.of(hourly(0, 25.5, dims)));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1))).singleElement()
                    .satisfies(r -> {
                        assertThat(r.value()).isEqualTo(25.5);
                        assertThat(r.aggregate().sum()).isEqualTo(25.5);
                    });
        }

        @Test
        void dimensionMapsAreComparedAsMapsNotByInsertionOrder() {
            LinkedHashMap<String, String> first = new LinkedHashMap<>();
            first.put("country", "US");
            first.put("device", "mobile");
            LinkedHashMap<String, String> reversed = new LinkedHashMap<>();
            reversed.put("device", "mobile");
            reversed.put("country", "US");
            warehouse().upsertAggregates(List.of(hourly(0, 1.0, first)));
            warehouse().upsertAggregates(List.of(hourly(0, 2.0, reversed)));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1))).singleElement()
                    .satisfies(r -> assertThat(r.value()).isEqualTo(2.0));
        }

        @Test
        void rowsThatDifferInDimensionsAreSeparate() {
            warehouse().upsertAggregates(List.of(
                    hourly(0, 1.0, Map.of()),
                    hourly(0, 2.0, Map.of("country", "US")),
                    hourly(0, 3.0, Map.of("country", "DE")),
                    hourly(0, 4.0, Map.of("country", "US", "device", "mobile"))));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1)))
                    .extracting(AggregateRow::dimensions, AggregateRow::value)
                    .containsExactlyInAnyOrder(
                            tuple(Map.of(), 1.0),
                            tuple(Map.of("country", "US"), 2.0),
                            tuple(Map.of("country", "DE"), 3.0),
                            tuple(Map.of("country", "US", "device", "mobile"), 4.0));
        }

        @Test
        void oneUpsertCanInsertAndReplaceTogether() {
            warehouse().upsertAggregates(List.of(hourly(0, 1.0, Map.of())));
            warehouse().upsertAggregates(List.of(hourly(0, 5.0, Map.of()), hourly(1, 6.0, Map.of())));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(2)))
                    .extracting(AggregateRow::timestamp, AggregateRow::value)
                    .containsExactlyInAnyOrder(tuple(hour(0), 5.0),
                            tuple(hour(1), 6.0));
        }

        @Test
        void theRangeIncludesFromAndExcludesTo() {
            List<AggregateRow> rows = new ArrayList<>();
            for (int h = 0; h < 5; h++) {
                rows.add(hourly(h, h, Map.of()));
            }
            warehouse().upsertAggregates(rows);
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(1), hour(3)))
                    .extracting(AggregateRow::timestamp).containsExactlyInAnyOrder(hour(1), hour(2));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(5))).hasSize(5);
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(2), hour(2))).isEmpty();
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(1).plusMillis(1), hour(2))).isEmpty();
        }

        @Test
        void theRangeIsScopedToOneProjectMetricAndGranularity() {
            warehouse().upsertAggregates(List.of(
                    hourly(0, 1.0, Map.of()),
                    row("p2", "revenue", "hour", hour(0), 2.0, Map.of(), aggregate(0, 2.0)),
                    row("p1", "orders", "hour", hour(0), 3.0, Map.of(), aggregate(0, 3.0)),
                    row("p1", "revenue", "day", hour(0), 4.0, Map.of(), aggregate(0, 4.0))));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1)))
                    .extracting(WarehouseContract::rowKey, AggregateRow::value)
                    .containsExactly(tuple(rowKey(hourly(0, 1.0, Map.of())), 1.0));
            assertThat(warehouse().aggregates("p1", "revenue", "day", hour(0), hour(1)))
                    .extracting(AggregateRow::value).containsExactly(4.0);
        }

        @Test
        void upsertingNothingIsHarmless() {
            warehouse().upsertAggregates(List.of());
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(24))).isEmpty();
        }
    }

    @Nested
    @DisplayName("event metadata")
    class Metadata {
        @Test
        void insertedRowsAreCountedPerProject() {
            warehouse().insertEventMetadata(List.of(metadata("p1", "e1"), metadata("p1", "e2"), metadata("p2", "e1")));
            assertThat(warehouse().countEventMetadata("p1")).isEqualTo(2);
            assertThat(warehouse().countEventMetadata("p2")).isEqualTo(1);
            assertThat(warehouse().countEventMetadata("p3")).isZero();
        }

        @Test
        void insertingTheSameEventAgainIsIdempotent() {
            warehouse().insertEventMetadata(List.of(metadata("p1", "e1"), metadata("p1", "e2")));
            warehouse().insertEventMetadata(List.of(metadata("p1", "e1"), metadata("p1", "e2"), metadata("p1", "e3")));
            warehouse().insertEventMetadata(List.of(metadata("p1", "e3")));
            assertThat(warehouse().countEventMetadata("p1")).isEqualTo(3);
        }

        @Test
        void insertingNothingIsHarmless() {
            warehouse().insertEventMetadata(List.of());
            assertThat(warehouse().countEventMetadata("p1")).isZero();
        }
    }

    private ArchivedFile file(String projectId, int hour, int part) {
        Instant h = hour(hour);
        return new ArchivedFile(0, projectId, projectId + "/events/h" + hour + "/part-0000" + part + ".parquet", h, 10,
                1000, h, h.plusSeconds(3599), StorageClass.HOT);
    }

    private Checkpoint archiver(long offset) {
        return new Checkpoint("archiver", LogPosition.of(offset), Map.of());
    }

    @Nested
    @DisplayName("archive manifest")
    class ArchiveManifest {
        @Test
        void committedFilesGetIdsAndAreListedPerProjectByHour() {
            warehouse().commitArchive(archiver(7), List.of(file("p1", 2, 0), file("p1", 0, 0), file("p2", 0, 0)));
            List<ArchivedFile> p1 = warehouse().archivedFiles("p1");
            assertThat(p1).extracting(ArchivedFile::key).containsExactly("p1/events/h0/part-00000.parquet",
                    "p1/events/h2/part-00000.parquet");
            assertThat(p1).allSatisfy(f -> assertThat(f.id()).isPositive());
            assertThat(p1.get(0).rows()).isEqualTo(10);
            assertThat(p1.get(0).storageClass()).isEqualTo(StorageClass.HOT);
            assertThat(warehouse().archivedFiles("p2")).hasSize(1);
            assertThat(warehouse().archivePosition("archiver")).isEqualTo(LogPosition.of(7));
        }

        @Test
        void aRangeListsTheFilesWhoseHourOverlapsIt() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 0, 0), file("p1", 1, 0), file("p1", 1, 1),
                    file("p1", 3, 0)));
            assertThat(warehouse().archivedFiles("p1", hour(1).plusSeconds(1800), hour(3)))
                    .extracting(ArchivedFile::key).containsExactly("p1/events/h1/part-00000.parquet",
                            "p1/events/h1/part-00001.parquet");
            assertThat(warehouse().archivedFiles("p1", hour(4), hour(9))).isEmpty();
        }

        @Test
        void beforeAnyCommitThePositionIsNone() {
            assertThat(warehouse().archivePosition("archiver")).isEqualTo(LogPosition.NONE);
            warehouse().commitArchive(archiver(3), List.of());
            assertThat(warehouse().archivePosition("archiver")).isEqualTo(LogPosition.of(3));
        }

        @Test
        void aRelocatedFileIsListedUnderItsNewKeyAndForgottenFilesAreGone() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 0, 0), file("p1", 1, 0)));
            List<ArchivedFile> files = warehouse().archivedFiles("p1");
            warehouse().relocateArchivedFile(files.get(0).id(), "p1/cold/events/h0/part-00000.parquet", StorageClass.COLD);
            assertThat(warehouse().archivedFiles("p1").get(0)).satisfies(f -> {
                assertThat(f.key()).isEqualTo("p1/cold/events/h0/part-00000.parquet");
                assertThat(f.storageClass()).isEqualTo(StorageClass.COLD);
            });
            warehouse().forgetArchivedFiles(List.of(files.get(1).id()));
            assertThat(warehouse().archivedFiles("p1")).hasSize(1);
        }

        @Test
        void eventMetadataIsPendingUntilItsFileIsCommitted() {
            ArchivedFile f = file("p1", 0, 0);
            Instant ts = hour(0);
            warehouse().insertEventMetadata(List.of(new EventMetadata("e1", "u1", "purchase", "p1", ts, ts, f.key(),
                    "year=2024/month=01/day=15", null, "processed")));
            assertThat(warehouse().eventMetadata("p1", "e1")).hasValueSatisfying(
                    m -> assertThat(m.status()).isEqualTo("pending"));
            warehouse().commitArchive(archiver(1), List.of(f));
            assertThat(warehouse().eventMetadata("p1", "e1")).hasValueSatisfying(m -> {
                assertThat(m.status()).isEqualTo("processed");
                assertThat(m.storagePath()).isEqualTo(f.key());
                assertThat(m.userId()).isEqualTo("u1");
            });
            assertThat(warehouse().eventMetadata("p2", "e1")).isEmpty();
        }
    }

    @Nested
    @DisplayName("rollups")
    class Rollups {
        @Test
        void hoursWithFilesNewerThanTheirRollupArePendingOldestFirst() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 1, 0), file("p1", 0, 0), file("p2", 0, 0),
                    file("p1", 5, 0)));
            List<RollupTask> tasks = warehouse().pendingRollups(hour(2), 10);
            assertThat(tasks).extracting(RollupTask::projectId, RollupTask::hour)
                    .containsExactly(tuple("p1", hour(0)), tuple("p2", hour(0)), tuple("p1", hour(1)));
            assertThat(warehouse().pendingRollups(hour(2), 1)).hasSize(1);
        }

        @Test
        void aCommittedRollupReplacesTheHourAndDayRowsAndIsNoLongerPendingUntilANewFileArrives() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 0, 0)));
            RollupTask task = warehouse().pendingRollups(hour(1), 10).get(0);
            warehouse().upsertAggregates(List.of(hourly(0, 99, Map.of("country", "XX"))));
            long before = warehouse().rollupVersion("p1");
            warehouse().commitRollup(List.of(task), List.of(hourly(0, 5, Map.of("country", "US"))),
                    List.of(row("p1", "revenue", "day", hour(0).truncatedTo(ChronoUnit.DAYS), 5.0,
                            Map.of("country", "US"), aggregate(0, 5))));
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(0), hour(1)))
                    .extracting(AggregateRow::dimensions).containsExactly(Map.of("country", "US"));
            assertThat(warehouse().aggregates("p1", "revenue", "day", hour(-24), hour(24))).hasSize(1);
            assertThat(warehouse().pendingRollups(hour(1), 10)).isEmpty();
            assertThat(warehouse().rolledUpHours("p1", hour(-1), hour(2))).containsExactly(hour(0));
            assertThat(warehouse().rollupVersion("p1")).isGreaterThan(before);

            warehouse().commitArchive(archiver(2), List.of(file("p1", 0, 1)));
            assertThat(warehouse().pendingRollups(hour(1), 10)).extracting(RollupTask::hour).containsExactly(hour(0));
        }

        @Test
        void aRollupAlsoReplacesTheProjectionRowsOfItsHourAndDay() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 0, 0)));
            RollupTask task = warehouse().pendingRollups(hour(1), 10).get(0);
            Instant day = hour(0).truncatedTo(ChronoUnit.DAYS);
            warehouse().commitRollup(List.of(task),
                    List.of(row("p1", "revenue", Warehouse.allOf("hour"), hour(0), 5.0, Map.of(), aggregate(0, 5))),
                    List.of(row("p1", "revenue", Warehouse.byDimension("day", 0), day, 5.0, Map.of("country", "US"),
                            aggregate(0, 5))));
            assertThat(warehouse().aggregates("p1", "revenue", "hour:*", hour(0), hour(1))).hasSize(1);
            assertThat(warehouse().aggregates("p1", "revenue", "day:0", day, day.plus(1, ChronoUnit.DAYS))).hasSize(1);
            warehouse().commitRollup(List.of(task), List.of(), List.of());
            assertThat(warehouse().aggregates("p1", "revenue", "hour:*", hour(0), hour(1))).isEmpty();
            assertThat(warehouse().aggregates("p1", "revenue", "day:0", day, day.plus(1, ChronoUnit.DAYS))).isEmpty();
        }

        @Test
        void resettingAProjectsRollupsMakesEveryArchivedHourPendingAgain() {
            warehouse().commitArchive(archiver(1), List.of(file("p1", 0, 0), file("p1", 1, 0)));
            for (RollupTask t : warehouse().pendingRollups(hour(2), 10)) {
                warehouse().commitRollup(List.of(t), List.of(), List.of());
            }
            assertThat(warehouse().pendingRollups(hour(2), 10)).isEmpty();
            warehouse().resetRollups("p1");
            assertThat(warehouse().pendingRollups(hour(2), 10)).hasSize(2);
            assertThat(warehouse().rolledUpHours("p1", hour(-1), hour(3))).isEmpty();
        }

        @Test
        void expiringAggregatesDeletesOlderRows() {
            warehouse().upsertAggregates(List.of(hourly(0, 1, Map.of()), hourly(5, 2, Map.of())));
            assertThat(warehouse().expireAggregates(hour(3))).isEqualTo(1);
            assertThat(warehouse().aggregates("p1", "revenue", "hour", hour(-1), hour(9)))
                    .extracting(AggregateRow::timestamp).containsExactly(hour(5));
        }
    }

    private ArchivedFile file(String projectId, int hour, String name) {
        Instant h = hour(hour);
        return new ArchivedFile(0, projectId, projectId + "/events/" + name + ".parquet", h, 2, 100, h.plusSeconds(10),
                h.plusSeconds(20), StorageClass.HOT);
    }

    private EventMetadata archivedEvent(ArchivedFile f, String eventId, int second) {
        Instant ts = f.hour().plusSeconds(second);
        return new EventMetadata(eventId, "user-1", "purchase", f.projectId(), ts, ts, f.key(), "day", null, "processed");
    }

    @Nested
    @DisplayName("archive manifest and retention")
    class ArchiveRetention {
        @Test
        void filesBeforeAnHourAreListedAcrossProjectsOldestFirstPerStorageClass() {
            warehouse().commitArchive(new Checkpoint("archiver", LogPosition.of(1), Map.of()),
                    List.of(file("p1", -2, "a"), file("p2", -3, "b"), file("p1", -1, "c"), file("p1", 0, "d")));
            assertThat(warehouse().archivedFilesBefore(hour(0), StorageClass.HOT, 10))
                    .extracting(ArchivedFile::key).containsExactly("p2/events/b.parquet", "p1/events/a.parquet",
                            "p1/events/c.parquet");
            assertThat(warehouse().archivedFilesBefore(hour(0), StorageClass.HOT, 2)).hasSize(2);
            assertThat(warehouse().archivedFilesBefore(hour(0), StorageClass.COLD, 10)).isEmpty();
        }

        @Test
        void aRelocatedFileIsListedUnderItsNewKeyAndClass() {
            warehouse().commitArchive(new Checkpoint("archiver", LogPosition.of(1), Map.of()), List.of(file("p1", -2, "a")));
            ArchivedFile f = warehouse().archivedFiles("p1").get(0);
            warehouse().relocateArchivedFile(f.id(), "p1/cold/events/a.parquet", StorageClass.COLD);
            assertThat(warehouse().archivedFiles("p1")).singleElement().satisfies(moved -> {
                assertThat(moved.key()).isEqualTo("p1/cold/events/a.parquet");
                assertThat(moved.storageClass()).isEqualTo(StorageClass.COLD);
                assertThat(moved.rows()).isEqualTo(f.rows());
            });
            assertThat(warehouse().archivedFilesBefore(hour(0), StorageClass.COLD, 10)).extracting(ArchivedFile::id)
                    .containsExactly(f.id());
            assertThat(warehouse().archivedFilesBefore(hour(0), StorageClass.HOT, 10)).isEmpty();
        }

        @Test
        void forgettingFilesDeletesTheirRowsAndTheirEventsMetadataOnly() {
            ArchivedFile a = file("p1", -2, "a");
            ArchivedFile b = file("p1", -2, "b");
            warehouse().commitArchive(new Checkpoint("archiver", LogPosition.of(1), Map.of()), List.of(a, b));
            warehouse().insertEventMetadata(List.of(archivedEvent(a, "e1", 10), archivedEvent(a, "e2", 20),
                    archivedEvent(b, "e3", 15)));
            long idOfA = warehouse().archivedFiles("p1").stream().filter(f -> f.key().equals(a.key()))
                    .findFirst().orElseThrow().id();
            assertThat(warehouse().forgetArchivedFiles(List.of(idOfA))).isEqualTo(2);
            assertThat(warehouse().archivedFiles("p1")).extracting(ArchivedFile::key).containsExactly(b.key());
            assertThat(warehouse().countEventMetadata("p1")).isEqualTo(1);
            assertThat(warehouse().eventMetadata("p1", "e3")).isPresent();
            assertThat(warehouse().forgetArchivedFiles(List.of())).isZero();
        }
    }

    @Nested
    @DisplayName("durability across a reopen")
    class Durability {
        @Test
        void rowsSurviveAReopen() {
            Aggregate state = aggregate(10, 1.25, 2.5);
            warehouse().upsertAggregates(List.of(new AggregateRow("p1", "revenue", "sum", "day", hour(0), 3.75,
                    Map.of("country", "FR"), state)));
            warehouse().recordRejections(List.of(rejection("p1", "bad", 1)));
            warehouse().insertEventMetadata(List.of(metadata("p1", "e1")));

            reopenBackend();

            assertThat(warehouse().aggregates("p1", "revenue", "day", hour(0), hour(24))).singleElement()
                    .satisfies(r -> {
                        assertThat(r.value()).isEqualTo(3.75);
                        assertThat(r.dimensions()).isEqualTo(Map.of("country", "FR"));
                        assertSameAggregate(r.aggregate(), state);
                    });
            assertThat(warehouse().rejectedEvents("p1", 10)).containsExactly(rejection("p1", "bad", 1));
            assertThat(warehouse().countEventMetadata("p1")).isEqualTo(1);
            warehouse().insertEventMetadata(List.of(metadata("p1", "e1")));
            assertThat(warehouse().countEventMetadata("p1")).isEqualTo(1);
        }
    }
}
