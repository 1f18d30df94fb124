package dev.tally.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real-time window values. Writes overwrite whole windows (idempotent under replay). Thread-safe.
 */
public interface WindowStore {

    /**
     * Stores whole-window values and the consumer's checkpoint. Where the backend can, both are committed
     * atomically; otherwise values first, so a replay from the previous checkpoint rewrites the same values.
     * The store keeps its own copies: the caller may go on modifying the aggregates it passed.
     */
    void putAll(Map<WindowKey, Aggregate> values, Checkpoint checkpoint);

    /** A copy of one window's value, which the caller may modify. */
    Optional<Aggregate> get(WindowKey key);

    /**
     * Values of one metric at one size with {@code from <= start < to}, grouped by window start. The
     * aggregates are read-only snapshots shared with the store: merge them into your own, never modify them.
     */
    List<Window> range(String projectId, String metric, WindowSize size, long from, long to);

    /** The last checkpoint stored for a consumer. */
    Optional<Checkpoint> checkpoint(String consumer);

    /** A number that changes whenever a project's values change; used to key cached query results. */
    long version(String projectId);

    /** Drops windows that start before {@code cutoff} (real-time retention). */
    void expireBefore(Instant cutoff);

    /**
     * Drops every window that starts at or after {@code from} and stores {@code checkpoint}, atomically where
     * the backend can (a replay: the consumer then re-aggregates from the checkpoint's position). Windows
     * starting before {@code from} are untouched.
     */
    void rewind(Instant from, Checkpoint checkpoint);

    /** Values of one window start: dimension values to aggregate. */
    record Window(long start, Map<List<String>, Aggregate> values) {
    }
}
