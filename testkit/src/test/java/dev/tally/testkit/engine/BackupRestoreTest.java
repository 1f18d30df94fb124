package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.BackupSummary;
import dev.tally.api.ConfigurationException;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.IngestResult;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.spi.LogPosition;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backup of a running local engine and restore into a new data directory: the restored engine answers like
 * the original did at the backup point, lists the same archive, takes new events and dedups resent ones.
 */
class BackupRestoreTest {
    private static final Instant T0 = TestClock.DEFAULT_START; // 2024-01-15T10:00:00Z
    private static final Instant HISTORY = T0.minus(Duration.ofDays(3));
    private static final Instant CLICKS_AT = T0.minus(Duration.ofMinutes(7));
    private static final int CLICK_BATCH = 20;

    @TempDir
    Path temp;

    private Tally open(Path dataDir) {
        return Tally.builder().dataDir(dataDir).clock(TestClock.at(T0)).build();
    }

    private static Event purchase(String id, Instant at, double amount, String country) {
        return Event.builder("purchase").eventId(id).userId("u" + id.hashCode() % 9).timestamp(at)
                .property("amount", amount).country(country).build();
    }

    /** The answers the test compares: history from the warehouse, recent hours from the windows, by minute. */
    private static Map<String, List<MetricPoint>> answers(Tally tally) {
        Map<String, List<MetricPoint>> out = new HashMap<>();
        out.put("revenue by day", tally.query(MetricQuery.metric("revenue").between(HISTORY.minus(Duration.ofDays(1)),
                T0).granularity(Granularity.DAY).groupBy("country").build()).points());
        out.put("revenue by minute", tally.query(MetricQuery.metric("revenue").between(T0.minus(Duration.ofHours(1)),
                T0.plus(Duration.ofMinutes(5))).granularity(Granularity.MINUTE).groupBy("country").build()).points());
        out.put("events by minute", tally.query(MetricQuery.metric("event_count").between(T0.minus(Duration.ofHours(1)),
                T0.plus(Duration.ofMinutes(5))).granularity(Granularity.MINUTE).build()).points());
        out.put("uniques", tally.query(MetricQuery.metric("unique_users").between(HISTORY, T0.plusSeconds(60))
                .granularity(Granularity.ALL).build()).points());
        return out;
    }

    /** One appended batch of the concurrent ingester and where the log ended after it. */
    private record Sent(List<Event> events, LogPosition end) {
    }

    @Test
    void aBackupTakenWhileEventsArriveRestoresToTheAnswersAtTheBackupPoint() throws Exception {
        Path original = temp.resolve("original");
        Path restored = temp.resolve("restored");
        Path backupDir = temp.resolve("backups").resolve("b1");
        Map<String, List<MetricPoint>> before;
        List<ArchivedFile> filesBefore;
        List<Sent> sent = new ArrayList<>();
        BackupSummary backup;
        try (Tally tally = open(original)) {
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            List<Event> history = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                history.add(purchase("h" + i, HISTORY.plusSeconds(i * 97L), i % 13, i % 3 == 0 ? "US" : "FR"));
            }
            tally.importEvents(history);
            for (int i = 0; i < 120; i++) {
                tally.ingest(purchase("r" + i, T0.minus(Duration.ofMinutes(50)).plusSeconds(i * 20L), i % 7, "US"));
            }
            tally.awaitIdle();
            before = answers(tally);
            filesBefore = tally.backend().warehouse().archivedFiles("default");

            // Clicks keep arriving while the backup runs; each batch notes where the log ended after it.
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(5);
            Thread ingester = new Thread(() -> {
                for (int b = 0; !stop.get() && b < 10_000; b++) {
                    List<Event> batch = new ArrayList<>();
                    for (int i = 0; i < CLICK_BATCH; i++) {
                        batch.add(Event.builder("click").eventId("c" + b + "-" + i).userId("clicker").timestamp(CLICKS_AT)
                                .build());
                    }
                    tally.ingest(batch);
                    sent.add(new Sent(batch, tally.backend().eventLog().endPosition()));
                    started.countDown();
                }
            }, "clicks");
            ingester.start();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            backup = tally.backup(backupDir);
            stop.set(true);
            ingester.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(ingester.isAlive()).isFalse();
        }
        LogPosition backupEnd = LogPosition.parse(backup.logEnd());
        List<Sent> included = sent.stream().filter(s -> backupEnd.covers(s.end())).toList();
        List<Sent> excluded = sent.stream().filter(s -> !backupEnd.covers(s.end())).toList();
        assertThat(included).as("clicks appended before the backup").isNotEmpty();
        assertThat(Files.readString(backupDir.resolve("backup.json"))).contains("\"backend\" : \"local\"");
        assertThat(backup.archivedFiles()).isGreaterThanOrEqualTo(filesBefore.size());

        BackupSummary restoredFrom = Tally.builder().dataDir(restored).restore(backupDir, false);
        assertThat(restoredFrom.logEnd()).isEqualTo(backup.logEnd());
        try (Tally tally = open(restored)) {
            tally.awaitIdle();
            Map<String, List<MetricPoint>> expected = new HashMap<>(before);
            expected.put("events by minute", withClicks(before.get("events by minute"), included.size() * CLICK_BATCH));
            Map<String, List<MetricPoint>> actual = answers(tally);
            assertThat(actual.get("revenue by day")).isEqualTo(expected.get("revenue by day"));
            assertThat(actual.get("revenue by minute")).isEqualTo(expected.get("revenue by minute"));
            assertThat(actual.get("events by minute")).isEqualTo(expected.get("events by minute"));
            assertThat(actual.get("uniques")).singleElement().satisfies(p -> assertThat(p.value())
                    .isEqualTo(before.get("uniques").get(0).value() + 1)); // + "clicker"

            List<ArchivedFile> files = tally.backend().warehouse().archivedFiles("default");
            assertThat(files).containsAll(filesBefore);
            assertThat(files.stream().mapToLong(ArchivedFile::rows).sum())
                    .isEqualTo(300 + 120 + (long) included.size() * CLICK_BATCH);

            // Resent events are duplicates (the dedup index was rebuilt from the restored log); others are new.
            Event resent = included.get(included.size() - 1).events().get(0);
            assertThat(tally.ingest(resent).status()).isEqualTo(IngestResult.Status.DUPLICATE);
            assertThat(tally.ingest(purchase("r5", T0.minus(Duration.ofMinutes(10)), 1, "US")).status())
                    .isEqualTo(IngestResult.Status.DUPLICATE);
            Event fresh = excluded.isEmpty()
                    ? Event.builder("click").eventId("fresh").userId("clicker").timestamp(CLICKS_AT).build()
                    : excluded.get(0).events().get(0);
            assertThat(tally.ingest(fresh).status()).isEqualTo(IngestResult.Status.ACCEPTED);
            tally.awaitIdle();
            assertThat(answers(tally).get("events by minute"))
                    .isEqualTo(withClicks(before.get("events by minute"), included.size() * CLICK_BATCH + 1));
        }
    }

    /** The per-minute counts with {@code clicks} more events in the minute of {@link #CLICKS_AT}. */
    private static List<MetricPoint> withClicks(List<MetricPoint> points, int clicks) {
        Instant minute = CLICKS_AT.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        List<MetricPoint> out = new ArrayList<>();
        boolean added = false;
        for (MetricPoint p : points) {
            if (p.timestamp().equals(minute)) {
                out.add(new MetricPoint(p.timestamp(), p.value() + clicks, p.dimensions()));
                added = true;
            } else {
                out.add(p);
            }
        }
        if (!added) {
            out.add(new MetricPoint(minute, (double) clicks, Map.of()));
            out.sort(java.util.Comparator.comparing(MetricPoint::timestamp));
        }
        return out;
    }

    @Test
    void backupTargetsThatAreRelativeInsideTheDataOrNotEmptyAreRefused() throws IOException {
        Path dataDir = temp.resolve("data");
        try (Tally tally = open(dataDir)) {
            assertThatThrownBy(() -> tally.backup(Path.of("relative/backup")))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("absolute");
            assertThatThrownBy(() -> tally.backup(dataDir.resolve("backups")))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("outside the data directory");
            Path used = Files.createDirectories(temp.resolve("used"));
            Files.writeString(used.resolve("something"), "x");
            assertThatThrownBy(() -> tally.backup(used))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> tally.backup(null)).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void restoreRefusesUnfinishedBackupsDataItWouldOverwriteAndDirectoriesInUse() throws IOException {
        Path source = temp.resolve("source");
        Path backupDir = temp.resolve("backup");
        try (Tally tally = open(source)) {
            tally.ingest(purchase("e1", T0, 1, "US"));
            tally.awaitIdle();
            tally.backup(backupDir);
        }
        Path target = temp.resolve("target");
        assertThatThrownBy(() -> Tally.builder().dataDir(target).restore(temp.resolve("nothing-here"), false))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("backup.json");
        assertThatThrownBy(() -> Tally.builder().dataDir(source).restore(backupDir, false))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("not empty");
        try (Tally running = open(target)) {
            assertThatThrownBy(() -> Tally.builder().dataDir(target).restore(backupDir, true))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("in use");
            running.ingest(purchase("other", T0, 5, "DE"));
        }
        Path foreign = Files.createDirectories(temp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> Tally.builder().dataDir(foreign).restore(backupDir, true))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("notes.txt");

        // --force replaces what the target held.
        Tally.builder().dataDir(target).restore(backupDir, true);
        try (Tally tally = open(target)) {
            tally.awaitIdle();
            assertThat(tally.query(MetricQuery.metric("event_count").between(T0, T0.plusSeconds(60))
                    .granularity(Granularity.ALL).build()).points())
                    .singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(1.0));
        }
    }
}
