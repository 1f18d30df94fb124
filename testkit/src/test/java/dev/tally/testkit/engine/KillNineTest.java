package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.IngestResult;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.SqlQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forked JVM ingests into a local Tally and is killed with SIGKILL mid-stream. Reopening the same
 * directory must show every acknowledged event exactly once; resending everything must then complete the
 * set with nothing counted twice.
 */
class KillNineTest {
    private static final int TOTAL = 200_000;
    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    void killedProcessLosesNoAcknowledgedEventAndCountsNoneTwice() throws Exception {
        Instant timestamp = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Process child = startChild(timestamp);
        int acked = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked >= TOTAL / 2) {
                        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
                        break;
                    }
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(acked).as("child acknowledged events before it was killed").isGreaterThanOrEqualTo(TOTAL / 2);

        try (Tally tally = Tally.builder().dataDir(dir).build()) {
            tally.awaitIdle(Duration.ofMinutes(1));
            double afterCrash = count(tally, timestamp);
            assertThat(afterCrash).as("every acknowledged event survived").isGreaterThanOrEqualTo(acked);
            assertThat(afterCrash).as("at most the batch in flight was also written").isLessThanOrEqualTo(acked + BATCH);
            // The archiver was killed mid-file too: its committed files hold every logged event exactly once.
            assertThat(archived(tally)).containsExactly((long) afterCrash, (long) afterCrash);

            List<Event> all = new ArrayList<>(TOTAL);
            for (int i = 0; i < TOTAL; i++) {
                all.add(CrashingIngester.event(i, timestamp));
            }
            long accepted = 0;
            for (int from = 0; from < TOTAL; from += 10_000) {
                BatchResult r = tally.ingest(all.subList(from, from + 10_000));
                for (int i = 0; i < r.results().size(); i++) {
                    if (from + i < acked) {
                        assertThat(r.results().get(i)).as("acknowledged e-%d is a duplicate", from + i)
                                .isInstanceOf(IngestResult.Duplicate.class);
                    }
                }
                accepted += r.accepted();
            }
            assertThat(accepted).isEqualTo(TOTAL - (long) afterCrash);
            tally.awaitIdle(Duration.ofMinutes(1));
            assertThat(count(tally, timestamp)).isEqualTo(TOTAL);
            assertThat(archived(tally)).containsExactly((long) TOTAL, (long) TOTAL);
        }
    }

    /** Archived rows and distinct event ids among them, read through ad-hoc SQL over the committed files. */
    private static List<Long> archived(Tally tally) {
        List<Object> row = tally.sql(SqlQuery.of("SELECT count(*), count(DISTINCT event_id) FROM events")).rows().get(0);
        return List.of(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue());
    }

    private static double count(Tally tally, Instant timestamp) {
        MetricResult r = tally.query(MetricQuery.metric("event_count")
                .between(timestamp.minus(Duration.ofHours(1)), timestamp.plus(Duration.ofHours(1)))
                .granularity(Granularity.ALL).build());
        return r.points().isEmpty() ? 0 : r.points().get(0).value();
    }

    private Process startChild(Instant timestamp) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashingIngester.class.getName());
        cmd.add(dir.toString());
        cmd.add(Integer.toString(TOTAL));
        cmd.add(Integer.toString(BATCH));
        cmd.add(timestamp.toString());
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(new File(dir.toFile(), "child.err")))
                .start();
    }
}
