package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.RejectedEvent;
import dev.tally.engine.archive.ArchiveLayout;
import dev.tally.engine.archive.ParquetIo;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.Warehouse;
import dev.tally.testkit.TestClock;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The raw-event archive and the rollups built from it, on the local backend: Parquet layout and round trip,
 * commit protocol across restarts, rollups authoritative over real-time values (late events, imports),
 * and queries that route and stitch by range.
 */
class ArchiveAndRollupTest {
    private static final Instant T0 = TestClock.DEFAULT_START; // 2024-01-15T10:00:00Z
    private static final Instant H9 = T0.minus(Duration.ofHours(1));
    private static final String PARTS = "default/events/";

    @TempDir
    Path dir;

    private TestClock clock;

    private Tally open() {
        if (clock == null) {
            clock = TestClock.at(T0);
        }
        return Tally.builder().dataDir(dir).clock(clock).setting("tally.archive.event-metadata", "true").build();
    }

    private static Event purchase(String id, String user, Instant at, double amount, String country) {
        return Event.builder("purchase").eventId(id).userId(user).timestamp(at)
                .property("amount", amount).property("plan", "pro").property("tags", List.of("a", 1))
                .country(country).device("ios").build();
    }

    private static List<GenericRecord> rows(ObjectStore objects, String key) throws IOException {
        List<GenericRecord> out = new ArrayList<>();
        try (ParquetIo.RowReader r = ParquetIo.reader(() -> objects.open(key))) {
            GenericRecord rec;
            while ((rec = r.read()) != null) {
                out.add(rec);
            }
        }
        return out;
    }

    private static long archivedRows(Tally tally) throws IOException {
        long n = 0;
        for (Warehouse.ArchivedFile f : tally.backend().warehouse().archivedFiles("default")) {
            n += rows(tally.backend().objects(), f.key()).size();
        }
        return n;
    }

    @Test
    void eventsAreArchivedAsParquetUnderTheirHourPartitionAndReadBackExactly() throws IOException {
        try (Tally tally = open()) {
            Event a = purchase("e1", "u1", T0.plusSeconds(60), 12.5, "US");
            Event b = Event.builder("signup").eventId("e2").userId(null).timestamp(T0.minusSeconds(1800))
                    .property("count", 3).property("flag", true).property("nothing", null).build();
            tally.ingest(List.of(a, b));
            tally.awaitIdle();

            List<ObjectStore.ObjectInfo> files = tally.backend().objects().list(PARTS);
            assertThat(files).extracting(ObjectStore.ObjectInfo::key).containsExactly(
                    "default/events/year=2024/month=01/day=15/hour=09/part-00000.parquet",
                    "default/events/year=2024/month=01/day=15/hour=10/part-00000.parquet");
            List<GenericRecord> hour10 = rows(tally.backend().objects(), files.get(1).key());
            assertThat(hour10).hasSize(1);
            Event back = ArchiveLayout.toEvent(hour10.get(0));
            assertThat(back.eventId()).isEqualTo("e1");
            assertThat(back.userId()).isEqualTo("u1");
            assertThat(back.timestamp()).isEqualTo(a.timestamp());
            assertThat(back.properties()).containsEntry("amount", 12.5).containsEntry("plan", "pro")
                    .containsEntry("tags", "[\"a\",1]");
            assertThat(back.context().country()).isEqualTo("US");
            Event back2 = ArchiveLayout.toEvent(rows(tally.backend().objects(), files.get(0).key()).get(0));
            assertThat(back2.userId()).isNull();
            assertThat(back2.properties()).containsEntry("count", 3L).containsEntry("flag", "true")
                    .containsEntry("nothing", null);

            Warehouse.EventMetadata meta = tally.backend().warehouse().eventMetadata("default", "e1").orElseThrow();
            assertThat(meta.storagePath()).isEqualTo(files.get(1).key());
            assertThat(meta.filePartition()).isEqualTo("year=2024/month=01/day=15");
            assertThat(meta.status()).isEqualTo("processed");
            assertThat(meta.propertiesHash()).hasSize(64);
        }
    }

    @Test
    void aRestartResumesFromTheCommittedPositionWithNoGapAndNoDuplicateRow() throws IOException {
        try (Tally tally = open()) {
            for (int i = 0; i < 50; i++) {
                tally.ingest(purchase("a" + i, "u" + i, T0.plusSeconds(i), 1, "US"));
            }
            tally.awaitIdle();
            // A file published but never committed (the archiver crashed between the two) is invisible and is
            // overwritten when the range is redone: plant one where the next part will go.
            int next = tally.backend().warehouse().archivedFiles("default").stream()
                    .mapToInt(f -> ArchiveLayout.partOf(f.key())).max().orElse(-1) + 1;
            tally.backend().objects().put(String.format(
                    "default/events/year=2024/month=01/day=15/hour=10/part-%05d.parquet", next), "not parquet".getBytes());
        }
        try (Tally tally = open()) {
            for (int i = 0; i < 30; i++) {
                tally.ingest(purchase("b" + i, "u" + i, T0.plusSeconds(100 + i), 1, "US"));
            }
            tally.awaitIdle();
            assertThat(archivedRows(tally)).isEqualTo(80);
            Set<String> ids = new HashSet<>();
            for (Warehouse.ArchivedFile f : tally.backend().warehouse().archivedFiles("default")) {
                rows(tally.backend().objects(), f.key()).forEach(r -> assertThat(ids.add(r.get(0).toString())).isTrue());
            }
            assertThat(ids).hasSize(80);
            assertThat(tally.backend().warehouse().countEventMetadata("default")).isEqualTo(80);
        }
    }

    @Test
    void rollupsReplaceRealtimeValuesAndCountEventsTooLateForTheirWindow() {
        try (Tally tally = open()) {
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            for (int i = 0; i < 20; i++) {
                tally.ingest(purchase("p" + i, "u" + (i % 7), H9.plusSeconds(i * 60L), 10 + i, i % 2 == 0 ? "US" : "DE"));
            }
            tally.awaitIdle();
            MetricQuery hour = MetricQuery.metric("revenue").between(H9, T0).build();
            MetricResult realtime = tally.query(hour);
            assertThat(realtime.source()).isEqualTo("realtime");
            assertThat(realtime.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(390.0));

            // An hour later, after newer events moved the watermark on, an event for 09:30 arrives: too late for
            // its window, listed as late...
            clock.advance(Duration.ofHours(1));
            tally.ingest(Event.builder("view").eventId("now").userId("u0").timestamp(clock.instant()).build());
            tally.ingest(purchase("late", "u99", H9.plus(Duration.ofMinutes(30)), 1000, "US"));
            tally.awaitIdle();
            assertThat(tally.rejectedEvents(10)).extracting(RejectedEvent::eventId).contains("late");
            // ...and counted by the rollup of 09:00, which now serves that hour.
            MetricResult rolled = tally.query(hour);
            assertThat(rolled.source()).isEqualTo("realtime+warehouse");
            assertThat(rolled.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(1390.0));
            MetricResult byCountry = tally.query(MetricQuery.metric("revenue").between(H9, T0).groupBy("country").build());
            assertThat(byCountry.points()).extracting(p -> p.dimensions().get("country"), MetricPoint::value)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("DE", 200.0),
                            org.assertj.core.groups.Tuple.tuple("US", 1190.0));
            assertThat(tally.query(MetricQuery.metric("unique_users").between(H9, T0).build())
                    .points()).singleElement().satisfies(p -> assertThat(p.value()).isCloseTo(8.0, within(0.5)));
        }
    }

    @Test
    void importedHistoryIsArchivedRolledUpAndQueryableFromTheWarehouse() {
        try (Tally tally = open()) {
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            LocalDate day = LocalDate.of(2023, 11, 20);
            Instant start = day.atStartOfDay(ZoneId.of("UTC")).toInstant();
            List<Event> history = new ArrayList<>();
            Random random = new Random(42);
            double total = 0;
            Set<String> users = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                double amount = random.nextInt(100);
                String user = "u" + random.nextInt(60);
                history.add(purchase("h" + i, user, start.plusSeconds(random.nextInt(86_400)), amount,
                        random.nextBoolean() ? "US" : "FR"));
                total += amount;
                users.add(user);
            }
            double expectedTotal = total;
            BatchResult result = tally.importEvents(history);
            assertThat(result.accepted()).isEqualTo(500);
            tally.awaitIdle();

            MetricResult revenue = tally.query(MetricQuery.metric("revenue").between(start, start.plus(Duration.ofDays(1)))
                    .granularity(Granularity.DAY).build());
            assertThat(revenue.source()).isEqualTo("warehouse");
            assertThat(revenue.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(expectedTotal));
            MetricResult uniques = tally.query(MetricQuery.metric("unique_users")
                    .between(start, start.plus(Duration.ofDays(1))).build());
            assertThat(uniques.points()).singleElement()
                    .satisfies(p -> assertThat(p.value()).isCloseTo(users.size(), within(users.size() * 0.05)));
            // Backfill never passes through the real-time windows, so nothing is "late".
            assertThat(tally.rejectedEvents(10)).isEmpty();
            // Re-importing is answered as duplicates (within the dedup window) and changes nothing.
            assertThat(tally.importEvents(history).duplicates()).isEqualTo(500);
            assertThat(tally.rollup(day)).isEqualTo(500);
            assertThat(tally.query(MetricQuery.metric("revenue").between(start, start.plus(Duration.ofDays(1))).build())
                    .points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(expectedTotal));
        }
    }

    @Test
    void dayBucketsInAHalfHourZoneSplitHoursFromTheArchive() {
        try (Tally tally = open()) {
            ZoneId kolkata = ZoneId.of("Asia/Kolkata");
            Instant from = ZonedDateTime.of(2023, 12, 1, 0, 0, 0, 0, kolkata).toInstant();
            Instant to = from.plus(Duration.ofDays(3));
            List<Event> history = new ArrayList<>();
            Map<Instant, Integer> expected = new TreeMap<>();
            Random random = new Random(7);
            for (int i = 0; i < 600; i++) {
                Instant at = from.minus(Duration.ofHours(6)).plusSeconds(random.nextInt(4 * 86_400));
                history.add(Event.builder("view").eventId("v" + i).userId("u").timestamp(at).build());
                if (!at.isBefore(from) && at.isBefore(to)) {
                    Instant localMidnight = at.atZone(kolkata).toLocalDate().atStartOfDay(kolkata).toInstant();
                    expected.merge(localMidnight, 1, Integer::sum);
                }
            }
            tally.importEvents(history);
            tally.awaitIdle();
            MetricResult days = tally.query(MetricQuery.metric("event_count").between(from, to)
                    .granularity(Granularity.DAY).zone(kolkata).build());
            Map<Instant, Integer> actual = new TreeMap<>();
            days.points().forEach(p -> actual.put(p.timestamp(), p.value().intValue()));
            assertThat(actual).isEqualTo(expected);
            assertThat(days.notes()).anySatisfy(n -> assertThat(n).contains("computed from the archive"));
        }
    }

    @Test
    void aMetricDefinedLaterCoversTheArchivedHistory() {
        try (Tally tally = open()) {
            Map<String, Double> sums = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                String country = i % 3 == 0 ? "US" : "JP";
                tally.ingest(purchase("x" + i, "u" + i, H9.plusSeconds(i * 30L), i, country));
                sums.merge(country, (double) i, Double::sum);
            }
            tally.awaitIdle();
            clock.advance(Duration.ofDays(2));
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            tally.awaitIdle();
            MetricResult r = tally.query(MetricQuery.metric("revenue").between(T0.minus(Duration.ofHours(10)),
                    T0.plus(Duration.ofHours(14))).groupBy("country").build());
            assertThat(r.source()).isEqualTo("warehouse");
            Map<String, Double> actual = new HashMap<>();
            r.points().forEach(p -> actual.put(p.dimensions().get("country"), p.value()));
            assertThat(actual).isEqualTo(sums);
        }
    }
}
