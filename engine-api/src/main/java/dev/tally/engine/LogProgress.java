package dev.tally.engine;

import dev.tally.spi.LogPosition;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How far a log consumer has durably got, and a way to wait for it: the consumer's thread advances it, any
 * thread awaits a position. Thread-safe.
 */
public final class LogProgress {
    private static final long NUDGE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private volatile LogPosition reached = LogPosition.NONE;

    public LogPosition reached() {
        return reached;
    }

    /** Moves to {@code position} and wakes waiters. */
    public synchronized void advance(LogPosition position) {
        reached = position;
        notifyAll();
    }

    /** Moves to {@code position} unless already past it (a consumer that resumes after a restart). */
    public synchronized void advanceTo(LogPosition position) {
        if (!reached.covers(position)) {
            reached = position;
        }
        notifyAll();
    }

    /**
     * Waits until everything up to {@code target} is reached, calling {@code nudge} (e.g. "flush now")
     * before waiting and then every 50 ms.
     *
     * @return {@code false} on timeout
     */
    public synchronized boolean await(LogPosition target, Duration timeout, Runnable nudge) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached.covers(target)) {
            nudge.run();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, NUDGE_NANOS));
        }
        return true;
    }
}
