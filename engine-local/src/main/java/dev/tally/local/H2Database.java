package dev.tally.local;

import dev.tally.jdbc.ConsumerCheckpoints;
import dev.tally.jdbc.SqlDatabase;
import dev.tally.jdbc.SqlDialect;
import dev.tally.jdbc.SqlMigrations;
import dev.tally.jdbc.SqlWork;
import dev.tally.spi.Checkpoint;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The H2 file database behind the local catalog, warehouse and window checkpoints: a small connection pool
 * and versioned migrations applied at open ({@code schema_migrations}). Thread-safe.
 */
final class H2Database implements SqlDatabase, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Database.class);
    private static final SqlMigrations MIGRATIONS = new SqlMigrations(H2Database.class,
            List.of("V1__initial.sql", "V2__archive_and_rollups.sql", "V3__event_fates.sql"));

    private final JdbcConnectionPool pool;

    H2Database(Path dir) {
        // WRITE_DELAY=0: a commit is on disk when it returns, so a killed process loses no acknowledged write.
        String url = "jdbc:h2:file:" + dir.resolve(NAME).toAbsolutePath()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MODE=Regular";
        this.pool = JdbcConnectionPool.create(url, "tally", "");
        pool.setMaxConnections(16);
        inTransaction(c -> {
            MIGRATIONS.apply(c);
            return null;
        });
    }

    @Override
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public SqlDialect dialect() {
        return H2Dialect.INSTANCE;
    }

    @Override
    public RuntimeException failure(SQLException e) {
        return new LocalStorageException(e);
    }

    /** Saves a consumer's checkpoint within the caller's transaction. */
    static void saveCheckpoint(Connection c, Checkpoint checkpoint) throws SQLException {
        ConsumerCheckpoints.save(c, H2Dialect.INSTANCE, checkpoint);
    }

    /** The schema version this build migrates to (the number of migrations). */
    static int schemaVersion() {
        return MIGRATIONS.latestVersion();
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
