package dev.tally.local;

import dev.tally.api.BackupSummary;
import dev.tally.api.ConfigurationException;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.InProcessStreamRuntime;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The local profile: everything under one data directory, no external service.
 *
 * <pre>
 * DATA_DIR/.lock          exclusive while open: one engine per directory
 * DATA_DIR/log/           Chronicle Queue, daily files (the event log)
 * DATA_DIR/db/            H2: catalog, warehouse, real-time window checkpoints
 * DATA_DIR/dedup/         memory-mapped dedup index
 * DATA_DIR/objects/       object store (Parquet archive)
 * </pre>
 *
 * Settings: {@code tally.data-dir} (default {@code tally-data}), {@code tally.dedup.ttl} (24h),
 * {@code tally.local.dedup.initial-capacity} (4194304 slots, a sparse 64 MiB file), {@code tally.local.cache.max-bytes} (64 MiB).
 */
public final class LocalBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBackend.class);
    static final String JVM_FLAGS = "--add-opens=java.base/java.lang=ALL-UNNAMED "
            + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
            + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED "
            + "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";

    private final Path dir;
    private final DataDirLock lock;
    private final ChronicleEventLog log;
    private final H2Database db;
    private final H2Catalog catalog;
    private final H2Warehouse warehouse;
    private final LocalWindowStore windows;
    private final MappedDedupIndex dedup;
    private final LocalObjectStore objects;
    private final CaffeineResultCache cache;
    private final StreamRuntime streams = new InProcessStreamRuntime();
    private final InstantSource clock;

    LocalBackend(BackendConfig config) {
        dir = config.dataDir();
        lock = DataDirLock.acquire(dir);
        clock = config.clock();
        ChronicleEventLog openedLog = null;
        H2Database openedDb = null;
        // Chronicle's first open in a JVM spends ~0.5 s loading classes: do it beside H2's open.
        CompletableFuture<ChronicleEventLog> pendingLog =
                CompletableFuture.supplyAsync(() -> openLog(dir.resolve("log"), config), LocalBackend::startDaemon);
        try {
            try {
                openedDb = new H2Database(dir.resolve("db"));
            } finally {
                openedLog = join(pendingLog);
            }
            log = openedLog;
            db = openedDb;
            catalog = new H2Catalog(db);
            warehouse = new H2Warehouse(db);
            windows = new LocalWindowStore(db);
            dedup = openDedup(dir.resolve("dedup"), config);
            objects = new LocalObjectStore(dir.resolve("objects"));
            cache = new CaffeineResultCache(config.longValue("tally.local.cache.max-bytes", 64L << 20));
        } catch (RuntimeException e) {
            if (openedDb != null) {
                openedDb.close();
            }
            if (openedLog != null) {
                openedLog.close();
            }
            lock.close();
            throw e;
        }
        LOG.info("local backend open at {}", dir);
    }

    private static void startDaemon(Runnable r) {
        Thread t = new Thread(r, "tally-open-log");
        t.setDaemon(true);
        t.start();
    }

    private static ChronicleEventLog join(CompletableFuture<ChronicleEventLog> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private static ChronicleEventLog openLog(Path dir, BackendConfig config) {
        try {
            return new ChronicleEventLog(dir, config.clock());
        } catch (RuntimeException | LinkageError e) {
            if (e.toString().contains("IllegalAccess") || e.toString().contains("InaccessibleObject")
                    || e instanceof ExceptionInInitializerError) {
                throw new ConfigurationException("Chronicle Queue needs these JVM flags on Java 17+: " + JVM_FLAGS
                        + " (add them to surefire's argLine or the java command line)", e);
            }
            throw e;
        }
    }

    private MappedDedupIndex openDedup(Path dir, BackendConfig config) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LocalStorageException("cannot create " + dir, e);
        }
        MappedDedupIndex index = new MappedDedupIndex(dir.resolve("index.bin"), config.clock(),
                config.longValue("tally.local.dedup.initial-capacity", 1 << 22));
        if (!index.isTrusted()) {
            Duration ttl = config.duration("tally.dedup.ttl", Duration.ofHours(24));
            Instant now = config.clock().instant();
            long started = System.nanoTime();
            long[] count = {0};
            log.scan(now.minus(ttl).toEpochMilli(), (project, eventId) -> {
                index.markRebuilt(project, eventId, now.plus(ttl));
                count[0]++;
            });
            LOG.info("rebuilt the dedup index from the log: {} event ids in {} ms", count[0],
                    (System.nanoTime() - started) / 1_000_000);
        }
        return index;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public EventLog eventLog() {
        return log;
    }

    @Override
    public DedupIndex dedup() {
        return dedup;
    }

    @Override
    public WindowStore windows() {
        return windows;
    }

    @Override
    public Catalog catalog() {
        return catalog;
    }

    @Override
    public Warehouse warehouse() {
        return warehouse;
    }

    @Override
    public ObjectStore objects() {
        return objects;
    }

    @Override
    public ResultCache cache() {
        return cache;
    }

    @Override
    public StreamRuntime streams() {
        return streams;
    }

    /**
     * Backs up the running backend into {@code target} (see {@link LocalBackup}). Callers keep retention from
     * running meanwhile, as the engine does: it moves and deletes the archive files being copied.
     */
    @Override
    public BackupSummary backup(Path target) {
        return LocalBackup.write(target, dir, db, log, objects, clock);
    }

    @Override
    public void close() {
        try {
            dedup.close();
        } finally {
            try {
                log.close();
            } finally {
                try {
                    db.close();
                } finally {
                    lock.close();
                }
            }
        }
    }

}
