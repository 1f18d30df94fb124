package dev.tally.jdbc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Versioned schema migrations: scripts {@code V1__…sql}, {@code V2__…sql}, … applied in order, each once, with the
 * applied versions recorded in {@code schema_migrations}. Scripts are resources under {@code migrations/} beside a
 * backend's class; statements end with {@code ;} at the end of a line; whole-line {@code --} comments are dropped.
 *
 * <p>The caller runs {@link #apply} inside a transaction and, when several processes may open one database at
 * once, under a lock (PostgreSQL: an advisory lock), so that exactly one of them applies each version.
 */
public final class SqlMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(SqlMigrations.class);

    private final Class<?> anchor;
    private final List<String> scripts;

    /**
     * @param anchor  the class whose package holds the {@code migrations/} resources
     * @param scripts the script names, version 1 first
     */
    public SqlMigrations(Class<?> anchor, List<String> scripts) {
        this.anchor = anchor;
        this.scripts = List.copyOf(scripts);
    }

    /** The schema version these scripts migrate to. */
    public int latestVersion() {
        return scripts.size();
    }

    /** Applies the scripts newer than the database's version, on {@code c}, in the caller's transaction. */
    public void apply(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    + "name VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        int applied;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
            rs.next();
            applied = rs.getInt(1);
        }
        if (applied > scripts.size()) {
            // A rolling upgrade: a newer engine migrated the shared database first. Migrations only add, so this
            // build keeps working on it.
            LOG.warn("the database is at schema version {}, newer than this build's {}", applied, scripts.size());
        }
        for (int v = applied + 1; v <= scripts.size(); v++) {
            String name = scripts.get(v - 1);
            try (Statement s = c.createStatement()) {
                for (String sql : script(name).split(";\\s*\\n")) {
                    if (!sql.isBlank()) {
                        s.execute(sql);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)")) {
                ps.setInt(1, v);
                ps.setString(2, name);
                ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            LOG.info("applied migration {}", name);
        }
    }

    private String script(String name) {
        try (InputStream in = anchor.getResourceAsStream("migrations/" + name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the jar of " + anchor.getName());
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.trim().startsWith("--")) {
                    sb.append(line).append('\n');
                }
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
