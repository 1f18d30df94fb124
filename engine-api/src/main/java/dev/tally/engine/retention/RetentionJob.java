package dev.tally.engine.retention;

import dev.tally.engine.IdlePasses;
import dev.tally.spi.StreamRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Runs retention on a schedule of the engine clock: first one minute after the engine starts, then every
 * {@code interval}. A failed run is logged by the runtime and tried again at the next slot. Runs on a
 * {@link StreamRuntime} thread, looking at the clock about once a second (and at once when
 * {@link #awaitIdle} asks).
 */
public final class RetentionJob implements StreamRuntime.StreamJob {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final Duration TICK = Duration.ofSeconds(1);

    private final InstantSource clock;
    private final Duration interval;
    private final boolean scheduled;
    private final Runnable run;
    private final IdlePasses passes = new IdlePasses();
    private Instant nextRun;

    /**
     * @param scheduled {@code false}: never run (retention only on demand)
     * @param run       one retention pass (the engine's, which keeps it from overlapping backups and replays)
     */
    public RetentionJob(InstantSource clock, Duration interval, boolean scheduled, Runnable run) {
        this.clock = clock;
        this.interval = interval;
        this.scheduled = scheduled;
        this.run = run;
    }

    @Override
    public String name() {
        return "tally-retention";
    }

    /**
     * Waits until a run that is due by the engine clock now has finished (at once when none is).
     *
     * @return {@code false} on timeout
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return passes.await(timeout);
    }

    @Override
    public boolean step() throws InterruptedException {
        long pass = passes.begin();
        if (pass < 0) {
            return false;
        }
        Instant now = clock.instant();
        if (nextRun == null) {
            nextRun = now.plus(FIRST_RUN);
        }
        if (scheduled && !now.isBefore(nextRun)) {
            nextRun = now.plus(interval);
            LOG.debug("scheduled retention run at {}", now);
            run.run();
            return true;
        }
        passes.idle(pass, TICK);
        return false;
    }

    /** Makes a waiting step return at once, so the runtime can stop the job without waiting for the tick. */
    public void shutdown() {
        passes.shutdown();
    }

    /** Another instance runs the schedule; nothing is due here. */
    @Override
    public void follow() throws InterruptedException {
        long pass = passes.begin();
        if (pass >= 0) {
            passes.idle(pass, Duration.ZERO);
        }
    }

    @Override
    public void recover() {
    }

    @Override
    public void stop() {
        shutdown();
    }
}
