package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.ProjectOperations;
import dev.tally.api.QueryTimeoutException;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.spi.Warehouse;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Ad-hoc SQL over archived raw events on the local backend with the real DuckDB: answers equal an independent
 * computation on the same events, projects never see each other, only the hours a query can touch are read,
 * limits hold, and every attempt to leave the sandbox is refused as bad input.
 */
class SqlQueryTest {
    static final Instant T0 = TestClock.DEFAULT_START; // 2024-01-15T10:00:00Z
    static final Instant START = Instant.parse("2024-01-12T00:00:00Z");
    static final List<String> TYPES = List.of("page_view", "purchase", "signup");

    @TempDir
    static Path dir;
    static Tally tally;
    static ProjectOperations acme;
    static ProjectOperations other;
    static List<Event> acmeEvents;

    @BeforeAll
    static void archiveThreeDaysOfEvents() {
        tally = Tally.builder().dataDir(dir).clock(TestClock.at(T0)).build();
        tally.createProject("acme");
        tally.createProject("other");
        acme = tally.project("acme");
        other = tally.project("other");
        acmeEvents = generate("a", 1500, new Random(42));
        assertThat(acme.importEvents(acmeEvents).accepted()).isEqualTo(1500);
        assertThat(other.importEvents(generate("b", 300, new Random(7))).accepted()).isEqualTo(300);
        tally.awaitIdle();
    }

    @AfterAll
    static void close() {
        tally.close();
    }

    /** Events over the three days before T0, every hour having some. */
    static List<Event> generate(String prefix, int n, Random random) {
        List<Event> out = new ArrayList<>(n);
        long span = Duration.between(START, T0.minus(Duration.ofHours(11))).toMillis(); // up to 2024-01-14T23:00
        for (int i = 0; i < n; i++) {
            Instant at = START.plusMillis((long) (random.nextDouble() * span));
            String type = TYPES.get(random.nextInt(TYPES.size()));
            Event.Builder b = Event.builder(type).eventId(prefix + i).userId("u" + random.nextInt(50)).timestamp(at)
                    .country(random.nextBoolean() ? "US" : "DE").device("ios");
            if (type.equals("purchase")) {
                b.property("amount", random.nextInt(10_000) / 100.0).property("plan", "pro");
            }
            out.add(b.build());
        }
        return out;
    }

    static SqlResult sql(String statement) {
        return acme.sql(SqlQuery.of(statement));
    }

    static List<String> files(String projectId) {
        return tally.backend().warehouse().archivedFiles(projectId).stream().map(Warehouse.ArchivedFile::key).toList();
    }

    @Nested
    class Answers {
        @Test
        void eventsPerTypePerDay_equalAnIndependentCount() {
            SqlResult r = sql("""
                    SELECT event_type, CAST(date_trunc('day', "timestamp") AS DATE) AS day, count(*) AS n
                    FROM events GROUP BY ALL ORDER BY day, event_type""");

            Map<String, Long> expected = new TreeMap<>();
            for (Event e : acmeEvents) {
                LocalDate day = e.timestamp().atZone(ZoneOffset.UTC).toLocalDate();
                expected.merge(day + " " + e.eventType(), 1L, Long::sum);
            }
            Map<String, Long> actual = new TreeMap<>();
            for (List<Object> row : r.rows()) {
                actual.put(row.get(1) + " " + row.get(0), (Long) row.get(2));
            }
            assertThat(r.columns()).containsExactly("event_type", "day", "n");
            assertThat(actual).isEqualTo(expected);
            assertThat(r.truncated()).isFalse();
            assertThat(r.queryId()).isNotBlank();
        }

        @Test
        void propertiesAndContextFields_areReadable() {
            SqlResult r = sql("""
                    SELECT context.country AS country, sum(CAST(properties['amount'] AS DOUBLE)) AS revenue,
                           count(DISTINCT user_id) AS buyers
                    FROM events WHERE event_type = 'purchase' GROUP BY 1 ORDER BY 1""");

            Map<String, Double> revenue = new HashMap<>();
            for (Event e : acmeEvents) {
                if (e.eventType().equals("purchase")) {
                    revenue.merge(e.context().country(), ((Number) e.properties().get("amount")).doubleValue(), Double::sum);
                }
            }
            assertThat(r.rows()).hasSize(2);
            for (List<Object> row : r.rows()) {
                assertThat((Double) row.get(1)).isCloseTo(revenue.get((String) row.get(0)), within(1e-6));
            }
        }

        @Test
        void values_areJsonFriendly() {
            SqlResult r = sql("""
                    SELECT "timestamp", properties, context, [1, 2] AS list, 1.50::DECIMAL(10,2) AS dec,
                           170141183460469231731687303715884105727::HUGEINT AS huge, 'ab'::BLOB AS blob,
                           TIMESTAMP '2024-01-01 10:00:00' AS local_ts, DATE '2024-01-02' AS day,
                           'NaN'::DOUBLE AS nan, 3 AS i, true AS b, NULL AS nothing
                    FROM events WHERE event_id = 'a0'""");

            Event a0 = acmeEvents.get(0);
            List<Object> row = r.rows().get(0);
            assertThat(row.get(0)).isEqualTo(a0.timestamp().toString());
            assertThat(row.get(1)).isInstanceOf(Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) row.get(2);
            assertThat(context).containsEntry("country", a0.context().country()).containsEntry("device", "ios")
                    .containsKey("extra");
            assertThat(row.get(3)).isEqualTo(List.of(1L, 2L));
            assertThat(row.get(4)).isEqualTo(new BigDecimal("1.50"));
            assertThat(row.get(5)).isEqualTo(new BigInteger("170141183460469231731687303715884105727"));
            assertThat(row.get(6)).isEqualTo("YWI=");
            assertThat(row.get(7)).isEqualTo("2024-01-01T10:00:00");
            assertThat(row.get(8)).isEqualTo("2024-01-02");
            assertThat(row.get(9)).isEqualTo("NaN");
            assertThat(row.subList(10, 13)).containsExactly(3L, true, null);
        }

        @Test
        void anEmptyProject_hasTheSameTableWithNoRows() {
            String types = "SELECT typeof(\"timestamp\"), typeof(properties), typeof(context), count(*) FROM events GROUP BY ALL";
            SqlResult empty = tally.sql(SqlQuery.of("SELECT count(*) AS n, max(\"timestamp\") AS last FROM events"));
            assertThat(empty.rows()).containsExactly(java.util.Arrays.asList(0L, null));
            assertThat(empty.filesRead()).isZero();
            List<Object> typed = sql(types).rows().get(0);
            assertThat(typed.subList(0, 3)).containsExactly("TIMESTAMP WITH TIME ZONE", "MAP(VARCHAR, VARCHAR)",
                    "STRUCT(ip VARCHAR, user_agent VARCHAR, country VARCHAR, device VARCHAR, extra MAP(VARCHAR, VARCHAR))");
            SqlResult emptyTyped = tally.sql(SqlQuery.of(
                    "SELECT typeof(\"timestamp\"), typeof(properties), typeof(context) FROM events UNION ALL SELECT 'x', 'y', 'z'"));
            assertThat(emptyTyped.rows()).hasSize(1);
        }
    }

    @Nested
    class Isolation {
        @Test
        void aProject_seesOnlyItsOwnRows() {
            assertThat(sql("SELECT count(*) FROM events").rows().get(0).get(0)).isEqualTo(1500L);
            assertThat(other.sql(SqlQuery.of("SELECT count(*) FROM events")).rows().get(0).get(0)).isEqualTo(300L);
            assertThat(sql("SELECT count(*) FROM events WHERE event_id LIKE 'b%'").rows().get(0).get(0)).isEqualTo(0L);
        }

        @Test
        void anotherProjectsFiles_cannotBeReadByPath() {
            String otherFile = tally.backend().objects().localFile(files("other").get(0)).orElseThrow().toString();
            Path root = Path.of(otherFile.substring(0, otherFile.indexOf("/other/")));
            for (String attempt : List.of(
                    "SELECT * FROM read_parquet('" + otherFile + "')",
                    "SELECT * FROM '" + otherFile + "'",
                    "SELECT * FROM read_parquet('" + root + "/**/*.parquet')",
                    "SELECT * FROM read_parquet('" + root + "/acme/../other/events/*/*/*/*/*.parquet')",
                    "SELECT * FROM parquet_scan(['" + otherFile + "'])")) {
                assertThatThrownBy(() -> sql(attempt)).as(attempt).isInstanceOf(InvalidRequestException.class);
            }
        }
    }

    @Nested
    class Pruning {
        @Test
        void anExplicitRange_readsOnlyItsHoursAndOnlyItsEvents() {
            Instant from = Instant.parse("2024-01-13T05:00:00Z");
            Instant to = Instant.parse("2024-01-13T07:30:00Z");
            SqlResult r = acme.sql(SqlQuery.of("SELECT count(*) FROM events").between(from, to));

            long expected = acmeEvents.stream().filter(e -> !e.timestamp().isBefore(from) && e.timestamp().isBefore(to)).count();
            assertThat(r.rows().get(0).get(0)).isEqualTo(expected);
            assertThat(r.filesRead()).isEqualTo(3); // hours 05, 06, 07
            assertThat(r.notes().get(0)).contains("read 3 archive files");
        }

        @Test
        void timestampConditionsInTheWhereClause_pruneTheFiles() {
            SqlResult r = sql("""
                    SELECT count(*) FROM events
                    WHERE "timestamp" >= '2024-01-14' AND timestamp < TIMESTAMPTZ '2024-01-14 02:00:00+00'
                      AND event_type <> 'nothing'""");

            Instant from = Instant.parse("2024-01-14T00:00:00Z");
            long expected = acmeEvents.stream()
                    .filter(e -> !e.timestamp().isBefore(from) && e.timestamp().isBefore(from.plus(2, ChronoUnit.HOURS))).count();
            assertThat(r.rows().get(0).get(0)).isEqualTo(expected);
            assertThat(r.filesRead()).isEqualTo(2);
            assertThat(r.notes().get(0)).contains("taken from the WHERE clause");

            SqlResult between = sql("SELECT count(*) FROM events e WHERE e.timestamp BETWEEN '2024-01-12 03:10' AND '2024-01-12 03:50'");
            assertThat(between.filesRead()).isEqualTo(1);
        }

        @Test
        void conditionsThatDoNotBoundTheTable_readEveryFileAndSaySo() {
            int all = files("acme").size();
            for (String statement : List.of(
                    "SELECT count(*) FROM events WHERE timestamp >= '2024-01-14' OR event_type = 'signup'",
                    "SELECT count(*) FROM events WHERE timestamp >= '2024-01-14' AND event_id IN (SELECT event_id FROM events)",
                    "WITH x AS (SELECT * FROM events) SELECT count(*) FROM x WHERE timestamp >= '2024-01-14'",
                    "SELECT count(*) FROM events WHERE timestamp >= TRY_CAST('2024-01-14' AS TIMESTAMP)")) {
                SqlResult r = sql(statement);
                assertThat(r.filesRead()).as(statement).isEqualTo(all);
                assertThat(r.notes().get(0)).contains("no bound on timestamp");
            }
            assertThat(all).isGreaterThan(60);
        }
    }

    @Nested
    class Limits {
        @Test
        void rowsBeyondTheLimit_areCutOffAndReported() {
            SqlResult r = acme.sql(SqlQuery.of("SELECT event_id FROM events ORDER BY event_id").limit(10));
            assertThat(r.rows()).hasSize(10);
            assertThat(r.truncated()).isTrue();
            assertThat(r.notes()).anyMatch(n -> n.contains("truncated at the limit of 10 rows"));

            SqlResult exact = acme.sql(SqlQuery.of("SELECT * FROM range(10)").limit(10));
            assertThat(exact.truncated()).isFalse();
            SqlResult huge = sql("SELECT * FROM range(1000000000000)");
            assertThat(huge.rows()).hasSize(10_000);
            assertThat(huge.truncated()).isTrue();
        }

        @Test
        void badLimitsAndRanges_areBadInput() {
            assertThatThrownBy(() -> acme.sql(SqlQuery.of("SELECT 1").limit(0))).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> acme.sql(SqlQuery.of("SELECT 1").limit(10_001))).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> acme.sql(SqlQuery.of("SELECT 1").between(T0, T0))).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> acme.sql(SqlQuery.of(" "))).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> acme.sql(SqlQuery.of("SELECT 1 -- " + "x".repeat(70_000))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("longer than");
        }

        @Test
        void aSlowStatement_isCancelledAtTheTimeout(@TempDir Path own) {
            try (Tally t = Tally.builder().dataDir(own).clock(TestClock.at(T0)).setting("tally.sql.timeout", "300ms").build()) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> t.sql(SqlQuery.of("SELECT count(*) FROM range(1000000) a, range(10000000) b WHERE a.range + b.range = -1")))
                        .isInstanceOf(QueryTimeoutException.class).hasMessageContaining("300ms");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
                assertThat(t.sql(SqlQuery.of("SELECT 42")).rows().get(0).get(0)).isEqualTo(42L);
            }
        }
    }

    @Nested
    class Sandbox {
        @ParameterizedTest
        @ValueSource(strings = {
                "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT * FROM read_csv_auto('/etc/passwd')",
                "SELECT * FROM '/etc/passwd'",
                "SELECT * FROM read_text('/etc/hosts')",
                "SELECT * FROM read_blob('/etc/hosts')",
                "SELECT * FROM glob('/*')",
                "SELECT * FROM sniff_csv('/etc/passwd')",
                "SELECT * FROM query_table('events')",
                "SELECT * FROM query('SELECT 1')",
                "SELECT getenv('HOME')",
                "SELECT current_setting('allowed_paths')",
                "SELECT current_setting('temp_directory')",
                "SELECT * FROM duckdb_settings()",
                "SELECT * FROM duckdb_views()",
                "SELECT * FROM duckdb_views",
                "SELECT sql FROM duckdb_views",
                "SELECT * FROM information_schema.tables",
                "SELECT pg_get_viewdef(0)",
                "SELECT * FROM pg_catalog.pg_views",
                "SELECT * FROM memory.main.events",
                "SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT * FROM duckdb_views), duckdb_views",
                "SELECT * FROM json_execute_serialized_sql('{}')",
                "COPY (SELECT * FROM events) TO '/tmp/x.csv'",
                "COPY events TO '/tmp/x.parquet'",
                "EXPORT DATABASE '/tmp/x'",
                "ATTACH '/tmp/x.db' AS x",
                "ATTACH ':memory:' AS x",
                "INSTALL httpfs",
                "LOAD httpfs",
                "SET threads = 1",
                "SET enable_external_access = true",
                "RESET lock_configuration",
                "PRAGMA version",
                "CREATE TABLE t AS SELECT 1",
                "CREATE MACRO m() AS 1",
                "INSERT INTO events SELECT * FROM events",
                "DELETE FROM events",
                "DROP VIEW events",
                "select 1; drop view events",
                "SELECT 1; SELECT 2",
                "DESCRIBE events",
                "SUMMARIZE events",
                "EXPLAIN SELECT 1",
                "CALL duckdb_settings()",
                "-- nothing but a comment",
        })
        void escapes_areRefusedAsBadInput(String attempt) {
            assertThatThrownBy(() -> sql(attempt)).isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(dir.toString()));
            assertThat(sql("SELECT count(*) FROM events").rows().get(0).get(0)).isEqualTo(1500L);
        }

        @Test
        void duckDbErrors_doNotShowServerPaths() {
            assertThatThrownBy(() -> sql("SELECT no_such_column FROM events")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("no_such_column").satisfies(e -> assertThat(e.getMessage()).doesNotContain(dir.toString()));
            assertThatThrownBy(() -> sql("SELECT CAST(event_id AS INTEGER) FROM events"))
                    .isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(dir.toString()));
        }
    }
}
