package dev.tally.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on one JDBC connection, run by {@link SqlDatabase#inTransaction} or {@link SqlDatabase#read}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
}
