package dev.tally.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Values read from the catalog on the hot path (schemas, metric definitions, project settings), kept for a short
 * time so several engines sharing one catalog see each other's changes within {@code maxAge}, and served stale
 * while the catalog is unreachable: an outage of the metadata store degrades to "not yet seeing new definitions",
 * not to failing ingestion. A reload that fails is retried every second; a value that was never loaded fails as
 * the store does. Thread-safe; bounded (cleared when it would exceed {@code maxEntries}).
 */
public final class Refreshing<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(Refreshing.class);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String what;
    private final long maxAgeNanos;
    private final int maxEntries;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    private record Entry<V>(V value, long loadedAt) {
    }

    /** @param what what the values are, for the log line of a failed reload (e.g. "schemas") */
    public Refreshing(String what, Duration maxAge, int maxEntries) {
        this.what = what;
        this.maxAgeNanos = maxAge.toNanos();
        this.maxEntries = maxEntries;
    }

    /** The value of {@code key}: the kept one while fresh, else {@code loader}'s, else (if that fails) the kept one. */
    public V get(K key, Function<K, V> loader) {
        Entry<V> e = entries.get(key);
        long now = System.nanoTime();
        if (e != null && now - e.loadedAt < maxAgeNanos) {
            return e.value;
        }
        V loaded;
        try {
            loaded = loader.apply(key);
        } catch (RuntimeException failure) {
            if (e == null) {
                throw failure;
            }
            LOG.warn("cannot reload {} of {} ({}); serving the last known value", what, key, failure.toString());
            entries.put(key, new Entry<>(e.value, now - maxAgeNanos + RETRY_NANOS));
            return e.value;
        }
        put(key, loaded);
        return loaded;
    }

    /** Keeps {@code value} as freshly loaded (after a change made through this engine). */
    public void put(K key, V value) {
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, System.nanoTime()));
    }

    /** Forgets a key, so the next {@link #get} loads it. */
    public void invalidate(K key) {
        entries.remove(key);
    }
}
