package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.http.ServerSettings;
import dev.tally.http.TallyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The client commands against a real server: create a project, register a schema, define, ingest, query. */
class ClientCommandsTest {
    private static final String ADMIN = "client-test-admin-key";
    @TempDir
    Path dir;
    private Tally tally;
    private TallyServer server;
    private String url;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startServer() {
        tally = Tally.builder().dataDir(dir.resolve("data")).build();
        server = TallyServer.builder(tally).closeTallyOnStop(false)
                .settings(ServerSettings.of(Map.of("tally.admin-key", ADMIN))).build();
        url = "http://127.0.0.1:" + server.start(0);
    }

    @AfterEach
    void stop() {
        server.stop();
        tally.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        CommandLine cl = TallyCli.commandLine(new TallyCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = url;
        return cl.execute(all);
    }

    private JsonNode outJson() {
        return JsonMapper.shared().readTree(out.toString());
    }

    @Test
    void aProjectFromCreationToAQueriedMetric() throws Exception {
        assertThat(run("project", "create", "shop", "--key", ADMIN)).isZero();
        JsonNode keys = outJson().path("keys");
        String admin = keys.path("admin").asString();
        String ingest = keys.path("ingest").asString();
        String query = keys.path("query").asString();

        Path schema = Files.writeString(dir.resolve("purchase.json"),
                "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\",\"required\":true}}}");
        assertThat(run("schema", "register", "purchase", schema.toString(), "--key", admin)).isZero();
        assertThat(outJson().path("version").asInt()).isEqualTo(1);
        assertThat(run("schema", "get", "purchase", "--key", query)).isZero();
        assertThat(out.toString()).contains("amount");
        assertThat(run("schema", "list", "--key", query)).isZero();
        assertThat(out.toString()).contains("purchase");

        assertThat(run("metric", "define", "revenue", "--aggregation", "sum", "--event-type", "purchase",
                "--property", "amount", "--dimensions", "country", "--key", admin)).isZero();
        assertThat(run("metric", "list", "--key", query)).isZero();
        assertThat(out.toString()).contains("revenue", "event_count");

        Instant now = Instant.now();
        Path events = Files.write(dir.resolve("p.jsonl"), List.of(
                "{\"eventId\":\"p1\",\"eventType\":\"purchase\",\"timestamp\":\"" + now + "\",\"properties\":{\"amount\":10},\"context\":{\"country\":\"US\"}}",
                "{\"eventId\":\"p2\",\"eventType\":\"purchase\",\"timestamp\":\"" + now + "\",\"properties\":{\"amount\":5},\"context\":{\"country\":\"DE\"}}",
                "{\"eventId\":\"p3\",\"eventType\":\"purchase\",\"timestamp\":\"" + now + "\",\"properties\":{\"amount\":7},\"context\":{\"country\":\"US\"}}"));
        assertThat(run("ingest", events.toString(), "--key", ingest)).isZero();
        tally.awaitIdle();

        Instant from = now.truncatedTo(ChronoUnit.HOURS);
        assertThat(run("query", "revenue", "--from", from.toString(), "--to", from.plus(2, ChronoUnit.HOURS).toString(),
                "--group-by", "country", "--key", query)).isZero();
        JsonNode points = outJson().path("points");
        assertThat(points).hasSize(2);
        for (JsonNode p : points) {
            String country = p.path("dimensions").path("country").asString();
            assertThat(p.path("value").asDouble()).isEqualTo(country.equals("US") ? 17.0 : 5.0);
        }

        assertThat(run("sql", "SELECT context.country AS country, sum(CAST(properties['amount'] AS INTEGER)) AS total "
                + "FROM events GROUP BY 1 ORDER BY 1", "--from", from.toString(), "--limit", "10", "--key", query)).isZero();
        assertThat(outJson().path("rows").toString()).isEqualTo("[[\"DE\",5],[\"US\",17]]");
        assertThat(run("sql", "DROP VIEW events", "--key", query)).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("server answered 400");
    }

    @Test
    void importBackfillsHistoryAndRollupRollsADayUpAgain() throws Exception {
        assertThat(run("project", "create", "old", "--key", ADMIN)).isZero();
        JsonNode keys = outJson().path("keys");
        Path history = Files.write(dir.resolve("history.jsonl"), List.of(
                "{\"eventId\":\"h1\",\"eventType\":\"signup\",\"timestamp\":\"2023-03-04T05:06:07Z\"}",
                "{\"eventId\":\"h2\",\"eventType\":\"signup\",\"timestamp\":\"2023-03-04T23:59:59Z\"}",
                "{\"eventId\":\"h3\",\"eventType\":\"signup\"}"));
        // h3 has no timestamp: an import needs one, so it is rejected and the exit code says so.
        assertThat(run("import", history.toString(), "--key", keys.path("ingest").asString())).isEqualTo(3);
        assertThat(out.toString()).contains("line 3");
        tally.awaitIdle();
        assertThat(run("query", "event_count", "--from", "2023-03-04", "--to", "2023-03-05", "--granularity", "1d",
                "--key", keys.path("query").asString())).isZero();
        assertThat(outJson().path("source").asString()).isEqualTo("warehouse");
        assertThat(outJson().path("points").get(0).path("value").asDouble()).isEqualTo(2.0);
        assertThat(run("rollup", "--day", "2023-03-04", "--key", keys.path("admin").asString())).isZero();
        assertThat(outJson().path("events").asLong()).isEqualTo(2);
        assertThat(run("rollup", "--day", "March", "--key", keys.path("admin").asString())).isEqualTo(2);
    }

    @Test
    void serverErrorsBecomeExitCode1WithTheServersMessage() {
        assertThat(run("query", "nope", "--from", "2024-01-01", "--to", "2024-01-02", "--key", "tly_0000000000000000_x"))
                .isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("server answered 401");
        assertThat(run("metric", "define", "bad name", "--aggregation", "count", "--key", ADMIN))
                .isEqualTo(TallyCli.FAILURE);
    }
}
