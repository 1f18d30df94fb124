package dev.tally.cloud;

import dev.tally.api.MetricDefinition;
import dev.tally.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catalog on PostgreSQL: the shared {@link JdbcCatalog} over a {@link PostgresDatabase}. Engines sharing the
 * database see each other's writes at once; a uniqueness race between them is a
 * {@link dev.tally.api.ConflictException}. Thread-safe.
 *
 * <p>Also keeps the {@linkplain #metricsVersion() metrics version} as last seen ({@link #knownMetricsVersion()}), for
 * the event log to stamp on every record: raised at once by a definition made through this catalog, and read again
 * in the background at most once a second for those of other engines.
 */
public final class PostgresCatalog extends JdbcCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCatalog.class);
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong known = new AtomicLong();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long refreshedAt = System.nanoTime() - REFRESH_NANOS;

    public PostgresCatalog(PostgresDatabase db) {
        super(db);
    }

    @Override
    public void addMetric(String projectId, MetricDefinition definition) {
        super.addMetric(projectId, definition);
        raise(metricsVersion());
    }

    /**
     * The metrics version as last seen, without waiting for the database: a definition made through this catalog is
     * included at once, other engines' ones within about a second (a read started in the background when the value
     * is older than that; while PostgreSQL is down the last value stays).
     */
    public long knownMetricsVersion() {
        if (System.nanoTime() - refreshedAt > REFRESH_NANOS && refreshing.compareAndSet(false, true)) {
            CompletableFuture.runAsync(() -> {
                try {
                    raise(metricsVersion());
                } catch (RuntimeException e) {
                    LOG.debug("cannot read the metrics version: {}", e.toString());
                } finally {
                    refreshedAt = System.nanoTime();
                    refreshing.set(false);
                }
            });
        }
        return known.get();
    }

    private void raise(long version) {
        known.accumulateAndGet(version, Math::max);
    }
}
