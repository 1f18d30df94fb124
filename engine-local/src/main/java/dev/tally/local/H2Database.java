package dev.tally.local;

import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.tally.spi.Checkpoint;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The H2 file database behind the local catalog, warehouse and window checkpoints: a small connection pool
 * and versioned migrations applied at open ({@code schema_migrations}). Thread-safe.
 */
final class H2Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Database.class);
    private static final List<String> MIGRATIONS = List.of("V1__initial.sql", "V2__archive_and_rollups.sql");

    private static final JsonMapper CHECKPOINT_JSON = JsonMapper.builder().build();

    private final JdbcConnectionPool pool;

    H2Database(Path dir) {
        // WRITE_DELAY=0: a commit is on disk when it returns, so a killed process loses no acknowledged write.
        String url = "jdbc:h2:file:" + dir.resolve(NAME).toAbsolutePath()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MODE=Regular";
        this.pool = JdbcConnectionPool.create(url, "tally", "");
        pool.setMaxConnections(16);
        migrate();
    }

    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs work in one transaction, committing on success and rolling back on failure. */
    <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
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
            throw new LocalStorageException(e);
        }
    }

    <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new LocalStorageException(e);
        }
    }

    private void migrate() {
        inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                        + "name VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            int applied = 0;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
                rs.next();
                applied = rs.getInt(1);
            }
            for (int v = applied + 1; v <= MIGRATIONS.size(); v++) {
                String name = MIGRATIONS.get(v - 1);
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
            return null;
        });
    }

    private static String script(String name) {
        try (InputStream in = H2Database.class.getResourceAsStream("migrations/" + name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the jar");
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

    /** Saves a consumer's checkpoint within the caller's transaction. */
    static void saveCheckpoint(Connection c, Checkpoint checkpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("MERGE INTO consumer_checkpoints(consumer, position, "
                + "watermarks, updated_at) KEY (consumer) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, checkpoint.consumer());
            ps.setString(2, checkpoint.position().encode());
            ps.setString(3, CHECKPOINT_JSON.writeValueAsString(checkpoint.watermarks()));
            ps.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** The schema version this build migrates to (the number of migrations). */
    static int schemaVersion() {
        return MIGRATIONS.size();
    }

    /**
     * Writes a transactionally consistent copy of the open database into the zip file {@code zip} (H2's
     * online {@code BACKUP}: writers keep going meanwhile).
     */
    void backupTo(Path zip) {
        read(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("BACKUP TO '" + zip.toAbsolutePath().toString().replace("'", "''") + "'");
            }
            return null;
        });
    }

    /** Name of the database inside the data directory's {@code db} folder and inside a backup zip. */
    static final String NAME = "tally";

    /** Runs {@code work} on the read-only database inside a backup zip made by {@link #backupTo}. */
    static <T> T readZip(Path zip, SqlWork<T> work) {
        String url = "jdbc:h2:zip:" + zip.toAbsolutePath() + "!/" + NAME + ";ACCESS_MODE_DATA=r";
        try (Connection c = java.sql.DriverManager.getConnection(url, "tally", "")) {
            return work.run(c);
        } catch (SQLException e) {
            throw new LocalStorageException(e);
        }
    }

    @Override
    public void close() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            LOG.debug("H2 shutdown", e);
        }
        pool.dispose();
    }
}
