package dev.tally.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The waiting side of a job that works in passes (look for due work, do it, idle until the next tick): lets
 * any thread wait for a pass that began after its call and found nothing due, and wakes the job early.
 * Thread-safe.
 */
public final class IdlePasses {
    private final Object signal = new Object();
    private boolean triggered;
    private boolean closing;
    private long requested;
    private long completed;

    /** Makes the job look for work now instead of at its next tick. */
    public void trigger() {
        synchronized (signal) {
            triggered = true;
            signal.notifyAll();
        }
    }

    /**
     * Waits until the job has made a full pass that found nothing due (so everything due when this was called
     * is done).
     *
     * @return {@code false} on timeout or after {@link #shutdown()}
     */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            long target = ++requested;
            triggered = true;
            signal.notifyAll();
            while (completed < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closing) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
            return true;
        }
    }

    /** Makes a waiting job return at once, so its runtime can stop it without waiting for the tick. */
    public void shutdown() {
        synchronized (signal) {
            closing = true;
            signal.notifyAll();
        }
    }

    /** Called by the job as a pass begins: the pass to hand to {@link #idle}, or -1 once shut down. */
    public long begin() {
        synchronized (signal) {
            return closing ? -1 : requested;
        }
    }

    /** Called by the job when a pass found nothing due: wakes its waiters, then waits up to {@code tick}. */
    public void idle(long pass, Duration tick) throws InterruptedException {
        synchronized (signal) {
            completed = Math.max(completed, pass);
            signal.notifyAll();
            if (!triggered && !closing && requested == pass) {
                TimeUnit.MILLISECONDS.timedWait(signal, tick.toMillis());
            }
            triggered = false;
        }
    }
}
