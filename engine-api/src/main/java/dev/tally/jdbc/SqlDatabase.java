package dev.tally.jdbc;

import dev.tally.api.ConflictException;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A SQL database a backend keeps its catalog and warehouse in: where connections come from, how its SQL differs
 * ({@link #dialect()}) and which exception a failure becomes ({@link #failure}). Implementations are thread-safe
 * (a connection pool behind {@link #connection()}).
 */
public interface SqlDatabase {

    /** A connection of the pool; the caller closes it, which hands it back. */
    Connection connection() throws SQLException;

    SqlDialect dialect();

    /** The backend's exception for a failed statement or an unreachable database. */
    RuntimeException failure(SQLException e);

    /**
     * Runs work in one transaction, committing on success and rolling back on failure. A unique-constraint
     * violation (a lost race between engines sharing the database) is a {@link ConflictException}; any other
     * {@link SQLException} becomes {@link #failure}.
     */
    default <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /** Runs read-only work on a connection in auto-commit mode. */
    default <T> T read(SqlWork<T> work) {
        try (Connection c = connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private RuntimeException translate(SQLException e) {
        if (SqlStates.isUniqueViolation(e)) {
            return new ConflictException("a concurrent write took the same key: " + e.getMessage());
        }
        return failure(e);
    }
}
