package dev.tally.testkit;

import dev.tally.Tally;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Fresh engines for tests, fast: each {@link #take} hands out an engine that no test has used (its own temporary
 * directory and {@link TestClock}), opened ahead of time in the background while the previous test ran, and
 * {@link Lease#close()} hands the used engine to a background thread that closes it and deletes its directory. The
 * test thread pays neither the open (~30-100 ms warm) nor the close (~60-200 ms: jobs stop, H2 and the dedup
 * index are saved).
 *
 * <p>{@link TallyExtension} keeps one pool per JUnit run, in the root extension store (never a static): closing
 * the run closes the pool, which waits for pending closes and closes its spare engines. Engines are never reused:
 * a "reset" is a fresh engine, so nothing of one test can leak into the next. Thread-safe: parallel tests take
 * distinct engines.
 */
public final class EnginePool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnginePool.class);

    /** What an engine is opened with: its settings and the clock's start. */
    public record Config(String backend, Map<String, String> settings, Instant start) {
        public Config {
            settings = Map.copyOf(settings);
        }
    }

    /** An engine of the pool, its clock and directory; closing it returns nothing, it disposes the engine. */
    public final class Lease implements AutoCloseable {
        private final Tally tally;
        private final TestClock clock;
        private final Path dir;
        private boolean closed;

        Lease(Tally tally, TestClock clock, Path dir) {
            this.tally = tally;
            this.clock = clock;
            this.dir = dir;
        }

        public Tally tally() {
            return tally;
        }

        public TestClock clock() {
            return clock;
        }

        public Path dir() {
            return dir;
        }

        /** Closes the engine and deletes its directory in the background; returns at once. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                dispose(this);
            }
        }
    }

    private final Function<Config, Tally.Builder> builders;
    private final ExecutorService opener;
    private final ExecutorService closer;
    private final Map<Config, CompletableFuture<Lease>> spares = new ConcurrentHashMap<>();
    private final List<CompletableFuture<Void>> closing = new ArrayList<>();
    private volatile boolean shut;

    /**
     * @param builders a builder for a configuration, before its data directory and clock are set (e.g. the cloud
     *                 stack's settings for a fresh namespace)
     */
    public EnginePool(Function<Config, Tally.Builder> builders) {
        this.builders = Objects.requireNonNull(builders, "builders");
        this.opener = Executors.newSingleThreadExecutor(r -> daemon(r, "tally-testkit-opener"));
        this.closer = Executors.newSingleThreadExecutor(r -> daemon(r, "tally-testkit-closer"));
    }

    /** A pool of local engines: the settings as given, on a fresh temporary directory each. */
    public static EnginePool local() {
        return new EnginePool(c -> Tally.builder().backend(c.backend()).settings(c.settings()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * An engine no test has used, with this configuration: the spare opened in the background if there is one
     * (waiting for it if it is still opening), else one opened now; then the next spare starts opening.
     */
    public Lease take(Config config) {
        if (shut) {
            throw new IllegalStateException("the engine pool is closed");
        }
        CompletableFuture<Lease> spare = spares.remove(config);
        Lease lease = spare != null ? join(spare, config) : null;
        if (lease == null) {
            lease = open(config);
        }
        prepare(config);
        return lease;
    }

    /** Opens the spare of a configuration in the background now, so that the next {@link #take} finds it. */
    public void prepare(Config config) {
        if (shut) {
            return;
        }
        try {
            spares.computeIfAbsent(config, c -> CompletableFuture.supplyAsync(() -> open(c), opener));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: no more spares
        }
    }

    private Lease join(CompletableFuture<Lease> spare, Config config) {
        try {
            return spare.join();
        } catch (RuntimeException e) {
            // A spare that failed to open is opened again on the caller's thread, which sees the failure if it recurs.
            LOG.debug("spare engine for {} failed to open; opening another", config, e);
            return null;
        }
    }

    private Lease open(Config config) {
        Path dir;
        try {
            dir = Files.createTempDirectory("tally-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestClock clock = TestClock.at(config.start());
        try {
            Tally tally = builders.apply(config).dataDir(dir).clock(clock).build();
            return new Lease(tally, clock, dir);
        } catch (RuntimeException | Error e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    private void dispose(Lease lease) {
        CompletableFuture<Void> done;
        try {
            done = CompletableFuture.runAsync(() -> closeNow(lease), closer);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closeNow(lease);   // the pool is closing: do it here
            return;
        }
        synchronized (closing) {
            closing.removeIf(CompletableFuture::isDone);
            closing.add(done);
        }
    }

    private static void closeNow(Lease lease) {
        try {
            lease.tally.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a test engine failed", e);
        } finally {
            deleteQuietly(lease.dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            TallyExtension.deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    /** Waits for the engines being closed (60 s at most), then closes the spares. */
    @Override
    public void close() {
        shut = true;
        List<CompletableFuture<Lease>> left = new ArrayList<>(spares.values());
        spares.clear();
        opener.shutdown();
        for (CompletableFuture<Lease> spare : left) {
            try {
                closeNow(spare.join());
            } catch (RuntimeException e) {
                LOG.debug("a spare engine had failed to open", e);
            }
        }
        closer.shutdown();
        try {
            if (!closer.awaitTermination(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("test engines still closing after 60 s");
            }
            opener.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
