package dev.tally.engine.retention;

import dev.tally.spi.StreamRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Runs retention on a schedule of the engine clock: first one minute after the engine starts, then every
 * {@code interval}. A failed run is logged and retried at the next slot. Runs on a {@link StreamRuntime}
 * thread, looking at the clock about once a second.
 */
public final class RetentionJob implements StreamRuntime.StreamJob {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final long TICK_MILLIS = 1000;

    private final InstantSource clock;
    private final Duration interval;
    private final Runnable run;
    private final Object signal = new Object();
    private boolean closing;
    private Instant nextRun;

    /** @param run one retention pass (the engine's, which keeps it from overlapping backups and replays) */
    public RetentionJob(InstantSource clock, Duration interval, Runnable run) {
        this.clock = clock;
        this.interval = interval;
        this.run = run;
    }

    @Override
    public String name() {
        return "tally-retention";
    }

    @Override
    public boolean step() throws InterruptedException {
        Instant now = clock.instant();
        if (nextRun == null) {
            nextRun = now.plus(FIRST_RUN);
        }
        if (!now.isBefore(nextRun)) {
            nextRun = now.plus(interval);
            LOG.debug("scheduled retention run at {}", now);
            run.run();
            return true;
        }
        synchronized (signal) {
            if (!closing) {
                signal.wait(TICK_MILLIS);
            }
        }
        return false;
    }

    /** Makes a waiting step return at once, so the runtime can stop the job without waiting for the tick. */
    public void shutdown() {
        synchronized (signal) {
            closing = true;
            signal.notifyAll();
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
