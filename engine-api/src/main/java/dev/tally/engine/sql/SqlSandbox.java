package dev.tally.engine.sql;

import dev.tally.api.QueryTimeoutException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One statement's private DuckDB: a new in-memory database whose only table is the view {@code events} over
 * the given Parquet files, locked down before the caller's statement runs (see {@link DuckDb#lock}). Not
 * thread-safe; one per statement.
 */
final class SqlSandbox implements AutoCloseable {
    /** The table's columns, typed as DuckDB reads them from the archive (the empty table uses the same types). */
    private static final String COLUMNS = "event_id, user_id, event_type, \"timestamp\", properties, context, ingested_at";
    private static final String EMPTY = "SELECT CAST(NULL AS VARCHAR) AS event_id, CAST(NULL AS VARCHAR) AS user_id, "
            + "CAST(NULL AS VARCHAR) AS event_type, CAST(NULL AS TIMESTAMPTZ) AS \"timestamp\", "
            + "CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS properties, "
            + "CAST(NULL AS STRUCT(ip VARCHAR, user_agent VARCHAR, country VARCHAR, device VARCHAR, "
            + "extra MAP(VARCHAR, VARCHAR))) AS context, CAST(NULL AS TIMESTAMPTZ) AS ingested_at WHERE false";

    private final Connection connection;

    /** Rows read, with whether more were left ({@code truncated}) and why. */
    record Rows(List<String> columns, List<List<Object>> rows, boolean truncated, boolean bySize) {
    }

    /**
     * @param files the Parquet files {@code events} reads, and the only files DuckDB may open
     * @param from  when not null, {@code events} holds only events at or after it
     * @param to    when not null, {@code events} holds only events before it
     */
    SqlSandbox(SqlSettings settings, List<Path> files, Instant from, Instant to) throws SQLException {
        this.connection = DuckDb.open(settings);
        try (Statement s = connection.createStatement()) {
            String source = files.isEmpty() ? EMPTY
                    : "SELECT " + COLUMNS + " FROM read_parquet(" + DuckDb.list(files) + ")";
            List<String> where = new ArrayList<>(2);
            if (from != null) {
                where.add("\"timestamp\" >= " + timestamp(from));
            }
            if (to != null) {
                where.add("\"timestamp\" < " + timestamp(to));
            }
            s.execute("CREATE VIEW events AS " + (where.isEmpty() ? source
                    : "SELECT * FROM (" + source + ") WHERE " + String.join(" AND ", where)));
            DuckDb.lock(connection, files);
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static String timestamp(Instant t) {
        return "CAST(" + DuckDb.literal(t.toString()) + " AS TIMESTAMPTZ)";
    }

    /**
     * Runs a checked statement and reads at most {@code limit} rows and about {@code maxChars} characters;
     * cancels it after {@code settings.timeout()} ({@link QueryTimeoutException}). Other failures are
     * DuckDB's {@link SQLException}s.
     */
    Rows run(String sql, int limit, long maxChars, SqlSettings settings, ScheduledExecutorService timer)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            AtomicBoolean timedOut = new AtomicBoolean();
            ScheduledFuture<?> cancel = timer.schedule(() -> {
                timedOut.set(true);
                try {
                    statement.cancel();
                } catch (SQLException e) {
                    // already finished or closed: nothing to cancel
                }
            }, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            try {
                return read(statement, sql, limit, maxChars);
            } catch (SQLException e) {
                if (timedOut.get()) {
                    throw new QueryTimeoutException(settings.timeout());
                }
                throw e;
            } finally {
                cancel.cancel(false);
            }
        }
    }

    private static Rows read(Statement statement, String sql, int limit, long maxChars) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> columns = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                columns.add(md.getColumnLabel(i));
            }
            List<List<Object>> rows = new ArrayList<>();
            long chars = 0;
            while (rs.next()) {
                if (rows.size() == limit) {
                    return new Rows(columns, rows, true, false);
                }
                List<Object> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    Object v = SqlValues.json(rs.getObject(i));
                    chars += SqlValues.size(v);
                    row.add(v);
                }
                if (chars > maxChars) {
                    return new Rows(columns, rows, true, true);
                }
                rows.add(row);
            }
            return new Rows(columns, rows, false, false);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // an in-memory database: nothing is lost
        }
    }
}
