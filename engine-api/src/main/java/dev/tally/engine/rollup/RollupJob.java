package dev.tally.engine.rollup;

import dev.tally.engine.IdlePasses;
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
    private final IdlePasses passes = new IdlePasses();

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
        passes.trigger();
    }

    /**
     * Waits until the job has made a full pass that found nothing due (so every hour that was due when this
     * was called is rolled up).
     *
     * @return {@code false} on timeout
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return passes.await(timeout);
    }

    /** Makes a waiting step return at once, so the runtime can stop the job without waiting for the tick. */
    public void shutdown() {
        passes.shutdown();
    }

    @Override
    public boolean step() throws InterruptedException {
        long pass = passes.begin();
        if (pass < 0) {
            return false;
        }
        List<RollupTask> tasks = backend.warehouse().pendingRollups(closedBefore(), 96);
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
        passes.idle(pass, IDLE_WAIT);
        return false;
    }

    /** Another instance rolls up: a pass completes once nothing due is left for it. */
    @Override
    public void follow() throws InterruptedException {
        long pass = passes.begin();
        if (pass >= 0 && backend.warehouse().pendingRollups(closedBefore(), 1).isEmpty()) {
            passes.idle(pass, Duration.ZERO);
        }
    }

    private Instant closedBefore() {
        return clock.instant().minus(Duration.ofHours(1)).minus(grace);
    }

    @Override
    public void recover() {
    }

    @Override
    public void stop() {
        shutdown();
    }
}
