package dev.tally.cloud;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.tally.api.ConfigurationException;
import dev.tally.jdbc.SqlDatabase;
import dev.tally.jdbc.SqlDialect;
import dev.tally.jdbc.SqlMigrations;
import dev.tally.spi.BackendConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The PostgreSQL database behind the cloud catalog and warehouse: a HikariCP pool whose connections all work in
 * one schema, and the versioned migrations applied when it opens.
 *
 * <p>Settings: {@code tally.postgres.url} (required, {@code jdbc:postgresql://host:port/database}),
 * {@code tally.postgres.user}, {@code tally.postgres.password} (never logged), {@code tally.postgres.pool-size}
 * (default 8) and {@code tally.postgres.connection-timeout} (default 10s: how long a call waits for a connection
 * before it fails with a {@link CloudStorageException}, a {@link dev.tally.api.BackendUnavailableException}).
 *
 * <p>The schema is the backend's namespace ({@code tally} without one), created if missing. Several engines may
 * open the same schema at once: creation and migrations run in one transaction under a PostgreSQL advisory lock
 * keyed by the schema, so exactly one engine applies each migration and the others wait, then find it applied.
 * Thread-safe.
 */
public final class PostgresDatabase implements SqlDatabase, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

    static final String URL = "tally.postgres.url";
    static final String USER = "tally.postgres.user";
    static final String PASSWORD = "tally.postgres.password";
    static final String POOL_SIZE = "tally.postgres.pool-size";
    static final String CONNECTION_TIMEOUT = "tally.postgres.connection-timeout";
    /** The schema used when the backend has no namespace. */
    static final String DEFAULT_SCHEMA = "tally";

    private static final Pattern SCHEMA = Pattern.compile("[a-z0-9_]{1,30}");
    /** First key of Tally's advisory locks (the second is the schema's hash): "tally" on a phone keypad. */
    private static final int LOCK_CLASS = 82559;
    private static final SqlMigrations MIGRATIONS = new SqlMigrations(PostgresDatabase.class,
            List.of("V1__initial.sql", "V2__event_fates.sql"));

    private final HikariDataSource pool;
    private final String endpoint;
    private final String schema;

    private PostgresDatabase(HikariDataSource pool, String endpoint, String schema) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.schema = schema;
    }

    /**
     * Opens the pool, creates the schema if missing and migrates it.
     *
     * @param namespace the backend's namespace ({@code [a-z0-9_]{1,30}}), or {@code ""} for schema {@code tally}
     * @throws ConfigurationException       a setting is missing or wrong (the message names it), or PostgreSQL
     *                                      refused the credentials or does not know the database
     * @throws CloudStorageException      PostgreSQL cannot be reached
     */
    public static PostgresDatabase open(BackendConfig config, String namespace) {
        String url = config.required(URL);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("setting '" + URL + "' must be a PostgreSQL JDBC URL "
                    + "(jdbc:postgresql://host:port/database), got '" + endpoint(url) + "'");
        }
        if (url.contains("currentSchema=")) {
            throw new ConfigurationException("setting '" + URL + "' must not set currentSchema: Tally works in the "
                    + "schema named by '" + CloudBackend.NAMESPACE + "' (default '" + DEFAULT_SCHEMA + "')");
        }
        String schema = namespace.isEmpty() ? DEFAULT_SCHEMA : namespace;
        if (!SCHEMA.matcher(schema).matches()) {
            throw new ConfigurationException("setting '" + CloudBackend.NAMESPACE + "' must match " + SCHEMA.pattern()
                    + ", got '" + namespace + "'");
        }
        long poolSize = config.longValue(POOL_SIZE, 8);
        if (poolSize < 1 || poolSize > 1000) {
            throw new ConfigurationException("setting '" + POOL_SIZE + "' must be between 1 and 1000, got " + poolSize);
        }
        Duration timeout = config.duration(CONNECTION_TIMEOUT, Duration.ofSeconds(10));
        if (timeout.toMillis() < 250) {
            throw new ConfigurationException("setting '" + CONNECTION_TIMEOUT + "' must be at least 250ms, got "
                    + config.get(CONNECTION_TIMEOUT));
        }

        long started = System.nanoTime();
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        config.string(USER).ifPresent(hikari::setUsername);
        config.string(PASSWORD).ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize((int) poolSize);
        hikari.setConnectionTimeout(timeout.toMillis());
        hikari.setPoolName("tally-postgres-" + schema);
        hikari.addDataSourceProperty("currentSchema", schema);
        hikari.addDataSourceProperty("ApplicationName", "tally");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            throw startFailure(endpoint(url), e);
        } catch (RuntimeException e) {
            // e.g. a URL the driver does not accept; its message may quote the whole URL, password included
            throw new ConfigurationException("setting '" + URL + "' is not a URL the PostgreSQL driver accepts: "
                    + endpoint(url), e);
        }
        PostgresDatabase db = new PostgresDatabase(pool, endpoint(url), schema);
        try {
            db.inTransaction(c -> {
                db.migrate(c);
                return null;
            });
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("PostgreSQL schema {} at {} ready in {} ms (pool of {})", schema, db.endpoint,
                (System.nanoTime() - started) / 1_000_000, poolSize);
        return db;
    }

    private void migrate(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            lock.setInt(1, LOCK_CLASS);
            lock.setInt(2, schema.hashCode());
            lock.execute();
        }
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!exists) {
            // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA \"" + schema + "\"");
            }
            LOG.info("created PostgreSQL schema {}", schema);
        }
        MIGRATIONS.apply(c);
    }

    /** The schema this database's connections work in. */
    public String schema() {
        return schema;
    }

    @Override
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public SqlDialect dialect() {
        return PostgresDialect.INSTANCE;
    }

    @Override
    public RuntimeException failure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean unreachable = e instanceof SQLTransientConnectionException || state.startsWith("08")
                || state.startsWith("57P");
        return new CloudStorageException("PostgreSQL at " + endpoint + (unreachable ? " is unavailable: " : " failed: ")
                + e.getMessage(), e);
    }

    private static RuntimeException startFailure(String endpoint, HikariPool.PoolInitializationException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String state = cause instanceof SQLException s && s.getSQLState() != null ? s.getSQLState() : "";
        if (state.startsWith("28")) {
            return new ConfigurationException("PostgreSQL at " + endpoint + " refused the credentials of settings '"
                    + USER + "' and '" + PASSWORD + "': " + cause.getMessage(), e);
        }
        if (state.equals("3D000")) {
            return new ConfigurationException("the database of setting '" + URL + "' does not exist: "
                    + cause.getMessage(), e);
        }
        return new CloudStorageException("cannot connect to PostgreSQL at " + endpoint + " (setting '" + URL
                + "'): " + cause.getMessage(), e);
    }

    /** The URL without its query (which may carry a password) and without user info: safe to log. */
    static String endpoint(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        return base.replaceFirst("//[^/@]*@", "//");
    }

    @Override
    public void close() {
        pool.close();
    }
}
