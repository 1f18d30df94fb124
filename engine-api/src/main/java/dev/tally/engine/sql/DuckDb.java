package dev.tally.engine.sql;

import org.duckdb.DuckDBDriver;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Opens and locks down in-memory DuckDB databases. Each {@link #open} is a new database of its own: nothing a
 * statement does in one is seen by another. {@link #lock} then forbids every file except the given ones, any
 * extension install or load, and any later change of settings. Stateless.
 */
final class DuckDb {
    private static final DuckDBDriver DRIVER = new DuckDBDriver();

    private DuckDb() {
    }

    /**
     * A new in-memory database in UTC that streams results (so a row limit stops the work early), with the
     * memory and thread limits of {@code settings} when given and no spilling to disk.
     */
    static Connection open(SqlSettings settings) throws SQLException {
        Properties props = new Properties();
        props.setProperty("jdbc_stream_results", "true");
        Connection c = DRIVER.connect("jdbc:duckdb:", props);
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("SET temp_directory = ''");
            if (settings != null) {
                s.execute("SET memory_limit = " + literal(settings.memoryLimit()));
                s.execute("SET threads = " + settings.threads());
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Allows reading only {@code files}; no other file or directory, no extension, no setting change. */
    static void lock(Connection c, List<Path> files) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET allowed_directories = []");
            s.execute("SET allowed_paths = " + list(files));
            s.execute("SET enable_external_access = false");
            s.execute("SET autoinstall_known_extensions = false");
            s.execute("SET autoload_known_extensions = false");
            s.execute("SET allow_community_extensions = false");
            s.execute("SET lock_configuration = true");
        }
    }

    /** A DuckDB list literal of file paths: {@code ['a', 'b']}. */
    static String list(List<Path> files) {
        return files.stream().map(p -> literal(p.toString())).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A DuckDB string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
