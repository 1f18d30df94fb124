package dev.tally.engine.sql;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which time ranges a statement's own WHERE clause puts on {@code events}, read from DuckDB's syntax tree. */
class TimeRangeTest {
    private static final SqlGuard GUARD = new SqlGuard();

    @AfterAll
    static void close() {
        GUARD.close();
    }

    private static Optional<TimeRange> range(String sql) {
        return TimeRange.fromSql(GUARD.check(sql).statement());
    }

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void comparisonsAndBetween_bound() {
        assertThat(range("SELECT * FROM events WHERE timestamp >= '2024-01-15' AND timestamp < '2024-01-16'"))
                .contains(new TimeRange(t("2024-01-15T00:00:00Z"), t("2024-01-16T00:00:00Z")));
        assertThat(range("SELECT * FROM events e WHERE '2024-01-15 10:00' <= e.timestamp"))
                .contains(new TimeRange(t("2024-01-15T10:00:00Z"), null));
        assertThat(range("SELECT * FROM events WHERE events.timestamp <= TIMESTAMPTZ '2024-01-15 10:00:00+02:00'"))
                .contains(new TimeRange(null, t("2024-01-15T08:00:00.001Z")));
        assertThat(range("SELECT * FROM events WHERE timestamp BETWEEN CAST('2024-01-15' AS TIMESTAMP) AND '2024-01-15T12:00:00Z'"))
                .contains(new TimeRange(t("2024-01-15T00:00:00Z"), t("2024-01-15T12:00:00.001Z")));
        assertThat(range("SELECT * FROM events WHERE timestamp = '2024-01-15 10:00:00.5'"))
                .contains(new TimeRange(t("2024-01-15T10:00:00.500Z"), t("2024-01-15T10:00:00.501Z")));
        assertThat(range("SELECT * FROM events WHERE timestamp > '2024-01-15' AND timestamp > '2024-01-14' AND event_type = 'x'"))
                .contains(new TimeRange(t("2024-01-15T00:00:00Z"), null));
    }

    @Test
    void shapesThatMightNotBoundTheTable_giveNoRange() {
        for (String sql : new String[]{
                "SELECT * FROM events WHERE timestamp > '2024-01-15' OR event_type = 'x'",
                "SELECT * FROM events WHERE NOT (timestamp > '2024-01-15')",
                "SELECT * FROM events WHERE timestamp > now()",
                "SELECT * FROM events WHERE timestamp > '15/01/2024'",
                "SELECT * FROM events WHERE timestamp > CAST('2024-01-15 10:00+02' AS TIMESTAMP)",
                "SELECT * FROM events WHERE timestamp > TRY_CAST('2024-01-15' AS TIMESTAMP)",
                "SELECT * FROM events, range(3) WHERE timestamp > '2024-01-15'",
                "SELECT * FROM events WHERE timestamp > '2024-01-15' UNION ALL SELECT * FROM events",
                "SELECT * FROM events WHERE timestamp > '2024-01-15' AND user_id IN (SELECT user_id FROM events)",
                "WITH events AS (SELECT 1) SELECT * FROM events WHERE timestamp > '2024-01-15'",
                "SELECT * FROM (SELECT * FROM events) WHERE timestamp > '2024-01-15'",
                "SELECT * FROM events e WHERE events.timestamp > '2024-01-15'",
        }) {
            assertThat(range(sql)).as(sql).isEmpty();
        }
    }
}
