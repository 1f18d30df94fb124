package dev.tally.jdbc;

import java.sql.SQLException;

/** Standard SQLSTATE codes shared by H2 and PostgreSQL. */
public final class SqlStates {
    /** {@code unique_violation}: a primary key or unique constraint rejected the row. */
    public static final String UNIQUE_VIOLATION = "23505";

    private SqlStates() {
    }

    /**
     * Whether {@code e}, a batch's chained exceptions or one of its causes is a unique violation. Drivers report a
     * failed batch entry as the next exception of a {@link java.sql.BatchUpdateException}.
     */
    public static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if (UNIQUE_VIOLATION.equals(n.getSQLState())) {
                        return true;
                    }
                    if (n.getNextException() == n) {
                        break;
                    }
                }
            }
        }
        return false;
    }
}
