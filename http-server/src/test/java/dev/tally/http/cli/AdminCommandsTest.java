package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricQuery;
import dev.tally.http.ServerSettings;
import dev.tally.http.TallyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tally retention run}, {@code backup} and {@code replay} against a real server, then {@code restore}
 * offline into a new data directory that a new engine serves with the same answers.
 */
class AdminCommandsTest {
    private static final String ADMIN = "admin-commands-test-key";
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = TallyCli.commandLine(new TallyCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private JsonNode outJson() {
        return JsonMapper.shared().readTree(out.toString());
    }

    private static double events(Tally tally, Instant from) {
        return tally.query(MetricQuery.metric("event_count").between(from, from.plus(1, ChronoUnit.HOURS))
                .granularity(Granularity.ALL).build()).points().stream().mapToDouble(p -> p.value()).sum();
    }

    @Test
    void backupOfARunningServerRestoresOfflineIntoANewDataDirectory() throws Exception {
        Path backup = dir.resolve("backup");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        double before;
        try (Tally tally = Tally.builder().dataDir(dir.resolve("data")).build()) {
            TallyServer server = TallyServer.builder(tally).closeTallyOnStop(false)
                    .settings(ServerSettings.of(Map.of("tally.admin-key", ADMIN))).build();
            String url = "http://127.0.0.1:" + server.start(0);
            try {
                for (int i = 0; i < 25; i++) {
                    tally.ingest(Event.builder("view").eventId("v" + i).userId("u" + i).timestamp(hour).build());
                }
                tally.awaitIdle();
                before = events(tally, hour);

                assertThat(run("retention", "run", "--key", ADMIN, "--url", url)).as(err.toString()).isZero();
                assertThat(outJson().has("logBytesFreed")).isTrue();
                assertThat(run("replay", "--from", hour.toString(), "--key", ADMIN, "--url", url)).as(err.toString()).isZero();
                assertThat(outJson().path("from").asString()).isEqualTo(hour.toString());
                tally.awaitIdle();
                assertThat(events(tally, hour)).isEqualTo(before);
                assertThat(run("backup", "--to", backup.toString(), "--key", ADMIN, "--url", url)).as(err.toString()).isZero();
                assertThat(outJson().path("directory").asString()).isEqualTo(backup.toString());

                assertThat(run("backup", "--to", dir.resolve("data").resolve("b").toString(), "--key", ADMIN, "--url", url))
                        .isEqualTo(TallyCli.FAILURE);
                assertThat(err.toString()).contains("400").contains("outside the data directory");
                assertThat(run("replay", "--from", "yesterday", "--key", ADMIN, "--url", url)).isEqualTo(TallyCli.USAGE);
            } finally {
                server.stop();
            }
        }

        Path restored = dir.resolve("restored");
        assertThat(run("restore", "--from", backup.toString(), "--data-dir", restored.toString())).as(err.toString()).isZero();
        assertThat(outJson().path("dataDir").asString()).isEqualTo(restored.toString());
        assertThat(run("restore", "--from", backup.toString(), "--data-dir", restored.toString()))
                .isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("not empty").contains("--force");
        assertThat(run("restore", "--from", backup.toString(), "--data-dir", restored.toString(), "--force")).isZero();
        assertThat(run("restore", "--from", dir.resolve("no-backup").toString(), "--data-dir",
                dir.resolve("other").toString())).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("backup.json");

        try (Tally tally = Tally.builder().dataDir(restored).build()) {
            tally.awaitIdle();
            assertThat(events(tally, hour)).isEqualTo(before);
        }
        assertThat(Files.exists(backup.resolve("db.zip"))).isTrue();
    }
}
