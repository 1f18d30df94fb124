package dev.tally.engine.ingest;

import dev.tally.spi.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How often each event id was resent, for {@link EventFates}. Counts gather in memory and reach the warehouse at
 * most once per {@code interval}, from whichever ingest call finds them due, and on {@link #flush()} at close: a
 * retry storm costs the hot path a map update per duplicate, not a warehouse transaction per request. Reads add
 * what is still pending, so this engine's answers are exact at once; another engine sees them after the flush.
 * At most {@code maxPending} distinct ids wait; copies of further ids are not counted (logged with the number).
 * Thread-safe.
 */
public final class DuplicateCounts {
    private static final Logger LOG = LoggerFactory.getLogger(DuplicateCounts.class);

    private final Warehouse warehouse;
    private final long intervalNanos;
    private final int maxPending;
    private final ReentrantLock flushing = new ReentrantLock();
    private final Object lock = new Object();
    private Map<String, Map<String, Long>> pending = new HashMap<>(); // project -> event id -> copies
    private Map<String, Map<String, Long>> writing = Map.of(); // taken by the running flush, until written
    private int pendingIds;
    private long uncounted;
    private Instant lastSeen;
    private volatile long lastFlush = System.nanoTime();

    public DuplicateCounts(Warehouse warehouse, Duration interval, int maxPending) {
        this.warehouse = warehouse;
        this.intervalNanos = interval.toNanos();
        this.maxPending = maxPending;
    }

    /** Counts one copy per element of {@code eventIds} (ids may repeat), seen at {@code at}. */
    public void record(String projectId, List<String> eventIds, Instant at) {
        if (eventIds.isEmpty()) {
            return;
        }
        add(projectId, eventIds, at);
        if (System.nanoTime() - lastFlush >= intervalNanos) {
            flush();
        }
    }

    private void add(String projectId, List<String> eventIds, Instant at) {
        synchronized (lock) {
            Map<String, Long> ids = pending.computeIfAbsent(projectId, p -> new HashMap<>());
            for (String id : eventIds) {
                Long copies = ids.get(id);
                if (copies != null) {
                    ids.put(id, copies + 1);
                } else if (pendingIds < maxPending) {
                    ids.put(id, 1L);
                    pendingIds++;
                } else {
                    uncounted++;
                }
            }
            lastSeen = at;
        }
    }

    /** Copies of {@code eventId} counted here and not yet written to the warehouse. */
    public long pending(String projectId, String eventId) {
        synchronized (lock) {
            return copies(pending, projectId, eventId) + copies(writing, projectId, eventId);
        }
    }

    private static long copies(Map<String, Map<String, Long>> counts, String projectId, String eventId) {
        Map<String, Long> ids = counts.get(projectId);
        Long copies = ids == null ? null : ids.get(eventId);
        return copies == null ? 0 : copies;
    }

    /** Writes what is pending; a failed project's counts wait for the next flush. Skips if one is running. */
    public void flush() {
        if (!flushing.tryLock()) {
            return;
        }
        try {
            Map<String, Map<String, Long>> taken;
            Instant at;
            long dropped;
            synchronized (lock) {
                lastFlush = System.nanoTime();
                if (pending.isEmpty() && uncounted == 0) {
                    return;
                }
                taken = pending;
                writing = taken;
                at = lastSeen;
                dropped = uncounted;
                pending = new HashMap<>();
                pendingIds = 0;
                uncounted = 0;
            }
            if (dropped > 0) {
                LOG.warn("{} resent events were not counted: more than {} distinct ids resent within {} ms",
                        dropped, maxPending, intervalNanos / 1_000_000);
            }
            for (Map.Entry<String, Map<String, Long>> project : new ArrayList<>(taken.entrySet())) {
                write(project.getKey(), project.getValue(), at);
            }
            synchronized (lock) {
                writing = Map.of();
            }
        } finally {
            flushing.unlock();
        }
    }

    private void write(String projectId, Map<String, Long> copies, Instant at) {
        List<String> ids = new ArrayList<>();
        copies.forEach((id, n) -> ids.addAll(Collections.nCopies((int) Math.min(n, Integer.MAX_VALUE), id)));
        try {
            warehouse.recordDuplicates(projectId, ids, at);
        } catch (RuntimeException e) {
            // The callers already got "duplicate"; keep the counts for the next flush.
            LOG.warn("could not count {} duplicate events of project {}: {}", ids.size(), projectId, e.toString());
            synchronized (lock) {
                writing.remove(projectId);
                add(projectId, ids, at);
            }
        }
    }
}
