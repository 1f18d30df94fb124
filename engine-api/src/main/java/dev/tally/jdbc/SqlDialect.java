package dev.tally.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between the SQL databases Tally stores its catalog and warehouse in: the syntax of upserts and
 * how many rows are written at once. Everything else ({@link JdbcCatalog}, {@link JdbcWarehouse}) is plain SQL
 * both accept. Implementations are stateless and thread-safe.
 */
public interface SqlDialect {

    /** Rows per {@code executeBatch} in {@link #upsertAll}'s default. */
    int BATCH_SIZE = 10_000;

    /**
     * A statement with one {@code ?} per column, in {@link Upsert#columns()} order, that inserts the row or
     * replaces the non-key columns of the row with the same keys.
     */
    String upsert(Upsert table);

    /** Like {@link #upsert}, but leaves an existing row alone; its update count is 1 if it inserted, else 0. */
    String insertIfAbsent(Upsert table);

    /**
     * A statement with one {@code ?} (the key) that sets {@code counter} of the key's row in {@code table} to 1
     * if there is none, else adds 1 to it; it locks the row until the transaction ends.
     */
    String increment(String table, String keyColumn, String counterColumn);

    /**
     * Upserts many rows in as few round trips as the database allows. Values are {@code String}, {@code Long},
     * {@code Integer}, {@code Boolean}, {@code java.math.BigDecimal}, {@code java.time.OffsetDateTime},
     * {@code byte[]} or {@code null}, one per column. When two rows share keys, the later one wins. The default
     * sends {@link #upsert} statements in JDBC batches of {@link #BATCH_SIZE}.
     */
    default void upsertAll(Connection c, Upsert table, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(upsert(table))) {
            int pending = 0;
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
                if (++pending == BATCH_SIZE) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }
}
