package dev.tally.engine.rollup;

import dev.tally.spi.Backend;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse.RollupTask;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Schedules rollups: once an hour has closed and its grace period passed (late events and the archive's
 * roll interval), every hour with archived files newer than its last rollup is rolled up — so late events
 * and imports re-roll their hours. Runs on a {@link StreamRuntime} thread; {@link #trigger()} wakes it (after
 * an import).
 */
public final class RollupJob implements StreamRuntime.StreamJob {
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final Backend backend;
    private final RollupService rollups;
    private final InstantSource clock;
    private final Duration grace;
    private final Object signal = new Object();
    private boolean triggered;
    private boolean closing;
    private long requested;
    private long completed;

    public RollupJob(Backend backend, RollupService rollups, InstantSource clock, Duration grace) {
        this.backend = backend;
        this.rollups = rollups;
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public String name() {
        return "tally-rollup";
    }

    /** Looks for work now instead of at the next tick. */
    public void trigger() {
        synchronized (signal) {
            triggered = true;
            signal.notifyAll();
        }
    }

    /**
     * Waits until the job has made a full pass that found nothing due (so every hour that was due when this
     * was called is rolled up).
     *
     * @return {@code false} on timeout
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
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

    /** Makes a waiting step return at once, so the runtime can stop the job without waiting for the tick. */
    public void shutdown() {
        synchronized (signal) {
            closing = true;
            signal.notifyAll();
        }
    }

    @Override
    public boolean step() throws InterruptedException {
        long pass;
        synchronized (signal) {
            if (closing) {
                return false;
            }
            pass = requested;
        }
        Instant closedBefore = clock.instant().minus(Duration.ofHours(1)).minus(grace);
        List<RollupTask> tasks = backend.warehouse().pendingRollups(closedBefore, 96);
        // Hours of one project and UTC day are rolled up together: one transaction, one day-row merge.
        Map<String, List<RollupTask>> byDay = new LinkedHashMap<>();
        for (RollupTask t : tasks) {
            byDay.computeIfAbsent(t.projectId() + "/" + t.hour().truncatedTo(ChronoUnit.DAYS), k -> new ArrayList<>())
                    .add(t);
        }
        for (List<RollupTask> sameDay : byDay.values()) {
            rollups.rollup(sameDay);
        }
        if (!tasks.isEmpty()) {
            return true;
        }
        synchronized (signal) {
            completed = Math.max(completed, pass);
            signal.notifyAll();
            if (!triggered && !closing && requested == pass) {
                TimeUnit.MILLISECONDS.timedWait(signal, IDLE_WAIT.toMillis());
            }
            triggered = false;
        }
        return false;
    }

    @Override
    public void recover() {
    }

    @Override
    public void stop() {
        shutdown();
    }
}
