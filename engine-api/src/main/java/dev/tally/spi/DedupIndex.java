package dev.tally.spi;

import java.time.Instant;
import java.util.List;

/**
 * Remembers which eventIds a project has accepted, until an expiry. Thread-safe.
 *
 * <p>The engine claims ids with {@link #markIfAbsent} before appending and {@link #unmark}s them if the
 * append fails, so an id is marked exactly when its event is in the log. Implementations keep that true
 * across crashes (e.g. by rebuilding from the log after an unclean shutdown).
 */
public interface DedupIndex {

    /** For each id, marks it and returns {@code true} if it was absent (or expired); {@code false} if present. */
    boolean[] markIfAbsent(String projectId, List<String> eventIds, Instant expiresAt);

    /** Forgets ids whose append failed. */
    void unmark(String projectId, List<String> eventIds);

    /**
     * Whether the id is marked and not yet expired on the backend's clock (the lookup behind an event's fate);
     * never marks it.
     */
    boolean contains(String projectId, String eventId);
}
