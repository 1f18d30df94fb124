package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.CreatedProject;
import dev.tally.api.Granularity;
import dev.tally.api.MetricQuery;
import dev.tally.api.Role;
import dev.tally.http.TallyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tally ingest} against a real server: batches, rejected lines with reasons, and safe re-runs. */
class IngestCommandTest {
    @TempDir
    Path dir;
    private Tally tally;
    private TallyServer server;
    private String url;
    private String key;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startServer() {
        tally = Tally.builder().dataDir(dir.resolve("data")).build();
        CreatedProject project = tally.createProject("acme");
        key = project.keys().get(Role.INGEST);
        server = TallyServer.builder(tally).closeTallyOnStop(false).build();
        url = "http://127.0.0.1:" + server.start(0);
    }

    @AfterEach
    void stop() {
        server.stop();
        tally.close();
    }

    private int ingest(Path file) {
        out.getBuffer().setLength(0);
        CommandLine cl = TallyCli.commandLine(new TallyCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute("ingest", "--url", url, "--key", key, "--batch-size", "100", file.toString());
    }

    @Test
    void sendsEveryLineReportsRejectedLinesAndIsSafeToRerun() throws Exception {
        Instant now = Instant.now();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            lines.add("{\"eventId\":\"e" + i + "\",\"eventType\":\"page_view\",\"userId\":\"u" + (i % 7)
                    + "\",\"timestamp\":\"" + now + "\"}");
        }
        lines.add(120, "{\"eventId\":\"bad-type\",\"eventType\":\"1nvalid\"}");
        lines.add(300, "this line is not JSON");
        lines.add(10, "");
        Path file = Files.write(dir.resolve("events.jsonl"), lines);

        assertThat(ingest(file)).isEqualTo(IngestCommand.SOME_REJECTED);
        assertThat(out.toString()).contains("sent 452 events: 450 accepted, 0 duplicates, 2 rejected")
                .contains("line 122: rejected: eventType")
                .contains("line 302: rejected:");

        assertThat(ingest(file)).isEqualTo(IngestCommand.SOME_REJECTED);
        assertThat(out.toString()).contains("450 duplicates");

        tally.awaitIdle();
        var r = tally.project("acme").query(MetricQuery.metric("event_count")
                .between(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1))).granularity(Granularity.ALL).build());
        assertThat(r.points().get(0).value()).isEqualTo(450.0);
    }

    @Test
    void aWrongKeyFailsWithExitCode1() throws Exception {
        key = "tly_0000000000000000_nope";
        Path file = Files.write(dir.resolve("one.jsonl"), List.of("{\"eventId\":\"x\",\"eventType\":\"t\"}"));
        assertThat(ingest(file)).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("server answered 401");
    }
}
