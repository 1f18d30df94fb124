package dev.tally.engine.sql;

import dev.tally.api.OverloadedException;
import dev.tally.api.TallyException;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission for statements: {@code running} run at once, up to {@code queued} more wait at most
 * {@code wait} for a slot, anyone else is refused at once with {@link OverloadedException}. Thread-safe.
 */
final class QuerySlots {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Semaphore slots;
    private final int maxQueued;
    private final Duration wait;
    private final AtomicInteger waiting = new AtomicInteger();

    QuerySlots(int running, int queued, Duration wait) {
        this.slots = new Semaphore(running, true);
        this.maxQueued = queued;
        this.wait = wait;
    }

    /** Takes a slot (waiting in the queue if there is room); pair with {@link #release()}. */
    void acquire() {
        if (slots.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > maxQueued) {
            waiting.decrementAndGet();
            throw new OverloadedException("too many SQL queries are running; retry later", RETRY_AFTER);
        }
        try {
            if (!slots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new OverloadedException("no SQL slot became free within " + wait + "; retry later", RETRY_AFTER);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted while waiting for an SQL slot", e);
        } finally {
            waiting.decrementAndGet();
        }
    }

    void release() {
        slots.release();
    }
}
