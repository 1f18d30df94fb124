package dev.tally.http;

import dev.tally.api.Event;
import dev.tally.api.OverloadedException;
import dev.tally.api.ProjectOperations;
import dev.tally.api.QueryTimeoutException;
import dev.tally.api.SqlQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/query} over real archived events: the answer's shape, isolation, bad input, timeout and overload. */
class SqlRoutesTest {
    private static final Instant HOUR = Instant.parse("2024-01-15T08:00:00Z");

    @TempDir
    static Path dir;
    static TestServer s;
    static TestServer.Keys acme;
    static TestServer.Keys other;

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
        acme = s.project("acme");
        other = s.project("other");
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Event.builder(i % 3 == 0 ? "purchase" : "view").eventId("a" + i).userId("u" + i % 4)
                    .timestamp(HOUR.plusSeconds(i * 200L)).property("amount", i).country("US").build());
        }
        s.tally.project("acme").importEvents(events);
        s.tally.project("other").importEvents(List.of(Event.builder("view").eventId("b1").timestamp(HOUR).build()));
        s.tally.awaitIdle();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static TestServer.Reply sql(TestServer server, String key, String sql) {
        return server.post("/v1/query", key, HttpJson.MAPPER.createObjectNode().put("sql", sql).toString());
    }

    @Test
    void aSelect_answersColumnsRowsAndNotes() {
        var r = s.post("/v1/query", acme.query(), """
                {"sql": "SELECT event_type, count(*) AS n, sum(CAST(properties['amount'] AS INTEGER)) AS total, min(timestamp) AS first FROM events GROUP BY 1 ORDER BY 1",
                 "from": "2024-01-15", "to": "2024-01-16T00:00:00Z", "limit": 5}""");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode json = r.json();
        assertThat(json.path("queryId").asString()).isNotBlank();
        assertThat(json.path("columns").toString()).isEqualTo("[\"event_type\",\"n\",\"total\",\"first\"]");
        assertThat(json.path("rows").toString())
                .isEqualTo("[[\"purchase\",10,135,\"2024-01-15T08:00:00Z\"],[\"view\",20,300,\"2024-01-15T08:03:20Z\"]]");
        assertThat(json.path("truncated").asBoolean()).isFalse();
        assertThat(json.path("filesRead").asInt()).isEqualTo(2);
        assertThat(json.path("notes").get(0).asString()).contains("read 2 archive files");
    }

    @Test
    void aKey_seesOnlyItsProjectsEvents() {
        assertThat(sql(s, other.query(), "SELECT event_id FROM events").json().path("rows").toString())
                .isEqualTo("[[\"b1\"]]");
        assertThat(sql(s, acme.query(), "SELECT count(*) FROM events").json().path("rows").toString()).isEqualTo("[[30]]");
    }

    @Test
    void rowsOverTheLimit_areCutOff() {
        var r = s.post("/v1/query", acme.query(), "{\"sql\":\"SELECT * FROM range(100)\",\"limit\":3}");
        assertThat(r.json().path("rows")).hasSize(3);
        assertThat(r.json().path("truncated").asBoolean()).isTrue();
    }

    @Test
    void badBodiesAndRefusedStatements_are400WithTheErrorShape() {
        for (String body : List.of("{}", "{\"sql\":1}", "{\"sql\":\"select 1\",\"project\":\"other\"}",
                "{\"sql\":\"select 1\",\"limit\":\"ten\"}", "{\"sql\":\"select 1\",\"limit\":0}",
                "{\"sql\":\"select 1\",\"from\":\"yesterday\"}", "[1]", "{\"sql\":", "")) {
            var r = s.post("/v1/query", acme.query(), body);
            assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(400);
            r.errorCode();
        }
        for (String statement : List.of("DROP VIEW events", "select 1; drop view events", "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT current_setting('allowed_paths')", "COPY events TO '/tmp/x.csv'", "ATTACH ':memory:' AS m",
                "SELECT nope FROM events", "SELECT * FROM read_parquet('" + dir + "/objects/other/**/*.parquet')")) {
            var r = sql(s, acme.query(), statement);
            assertThat(r.status()).as(statement + " -> " + r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_query");
            if (!statement.contains(dir.toString())) {
                assertThat(r.body()).doesNotContain(dir.toString());
            }
        }
        var tooLong = sql(s, acme.query(), "SELECT 1 -- " + "x".repeat(70_000));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body()).contains("longer than");
    }

    @Test
    void randomStatements_areOnly400sAndTheServerKeepsServing() {
        Random random = new Random(5);
        String alphabet = "SELECT FROM events WHERE ()*,;'\"-/ 0123456789 abc count sum read_csv COPY ATTACH é\\";
        for (int i = 0; i < 60; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = random.nextInt(60); j > 0; j--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            var r = sql(s, acme.query(), b.toString());
            assertThat(r.status()).as(b + " -> " + r.body()).isIn(200, 400);
        }
        assertThat(sql(s, acme.query(), "SELECT count(*) FROM events").status()).isEqualTo(200);
    }

    @Test
    void aSlowStatement_is400QueryTimeout(@TempDir Path own) {
        try (TestServer slow = TestServer.start(own, Map.of("tally.sql.timeout", "200ms"))) {
            var k = slow.project("p");
            var r = sql(slow, k.query(), "SELECT count(*) FROM range(1000000) a, range(10000000) b WHERE a.range + b.range < 0");
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("query_timeout");
            assertThat(sql(slow, k.query(), "SELECT 1").status()).isEqualTo(200);
        }
    }

    @Test
    void aFullSqlService_is503WithRetryAfter(@TempDir Path own) throws Exception {
        try (TestServer busy = TestServer.start(own, Map.of("tally.sql.max-concurrent", "1", "tally.sql.max-queued", "0",
                "tally.sql.timeout", "3s"))) {
            var k = busy.project("p");
            ProjectOperations engine = busy.tally.project("p");
            // hold the only slot with a statement that runs until its timeout (retrying while the requests below hold it)
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
                for (int attempt = 0; attempt < 10_000; attempt++) {
                    try {
                        engine.sql(SqlQuery.of("SELECT count(*) FROM range(1000000) a, range(10000000) b WHERE a.range + b.range < 0"));
                        return;
                    } catch (OverloadedException e) {
                        // a request below has the slot for a moment: try again
                    } catch (QueryTimeoutException e) {
                        return;
                    }
                }
            });
            TestServer.Reply refused = null;
            for (int i = 0; i < 100_000 && refused == null && !holder.isDone(); i++) {
                var r = sql(busy, k.query(), "SELECT 1");
                if (r.status() == 503) {
                    refused = r;
                } else {
                    assertThat(r.status()).isEqualTo(200);
                }
            }
            assertThat(refused).as("a request while the slot was held").isNotNull();
            assertThat(refused.errorCode()).isEqualTo("overloaded");
            assertThat(refused.retryAfter()).contains("1");
            holder.get(30, TimeUnit.SECONDS);
            assertThat(sql(busy, k.query(), "SELECT 1").status()).isEqualTo(200);
        }
    }
}
