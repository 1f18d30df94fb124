package dev.tally.api;

import java.time.Instant;
import java.util.Objects;

/**
 * An ad-hoc SQL question over the project's raw events: one {@code SELECT} (or {@code WITH ... SELECT}) over
 * the table {@code events(event_id, user_id, event_type, timestamp, properties, context, ingested_at)}.
 *
 * @param sql   the statement; exactly one read-only query
 * @param from  optional inclusive start: when set (with or without {@code to}) the {@code events} table holds
 *              only events at or after it, and only archive files of overlapping hours are read
 * @param to    optional exclusive end, likewise
 * @param limit optional maximum number of rows to return (at most the engine's {@code tally.sql.max-rows});
 *              {@code null} means that maximum. More rows are cut off and the result says so.
 */
public record SqlQuery(String sql, Instant from, Instant to, Integer limit) {

    public SqlQuery {
        Objects.requireNonNull(sql, "sql");
    }

    /** A query over every archived event, with the engine's default row limit. */
    public static SqlQuery of(String sql) {
        return new SqlQuery(sql, null, null, null);
    }

    /** This query restricted to events with {@code from <= timestamp < to} (either may be {@code null}). */
    public SqlQuery between(Instant from, Instant to) {
        return new SqlQuery(sql, from, to, limit);
    }

    /** This query returning at most {@code limit} rows. */
    public SqlQuery limit(int limit) {
        return new SqlQuery(sql, from, to, limit);
    }
}
