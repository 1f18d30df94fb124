package dev.tally.spi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs each job on its own daemon thread, step after step; a failing step is logged, the job recovers from
 * its checkpoint and retries with exponential back-off (up to 5 s). Any backend may use it. Thread-safe.
 *
 * <p>With a {@link Leadership} other than {@link Leadership#ALWAYS}, a job steps only while this instance leads;
 * otherwise it {@linkplain StreamJob#follow() follows} the leader every 100 ms.
 */
public final class InProcessStreamRuntime implements StreamRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessStreamRuntime.class);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long FOLLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Leadership leadership;

    /** A runtime whose jobs always run (one engine per set of stores). */
    public InProcessStreamRuntime() {
        this(Leadership.ALWAYS);
    }

    public InProcessStreamRuntime(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public Handle start(StreamJob job) {
        Runner runner = new Runner(job, leadership);
        Thread thread = new Thread(runner, job.name());
        thread.setDaemon(true);
        runner.thread = thread;
        thread.start();
        return runner;
    }

    private static final class Runner implements Runnable, Handle {
        private final StreamJob job;
        private final Leadership leadership;
        private volatile boolean running = true;
        private volatile Throwable lastFailure;
        private Thread thread;

        Runner(StreamJob job, Leadership leadership) {
            this.job = job;
            this.leadership = leadership;
        }

        /** One step if this instance leads, else one follow; throws what they throw. */
        private void once() throws Exception {
            if (leadership.enter()) {
                try {
                    job.step();
                } finally {
                    leadership.exit();
                }
            } else {
                job.follow();
                LockSupport.parkNanos(FOLLOW_NANOS);
            }
        }

        @Override
        public void run() {
            long backoff = TimeUnit.MILLISECONDS.toNanos(10);
            while (running) {
                try {
                    once();
                    lastFailure = null;
                    backoff = TimeUnit.MILLISECONDS.toNanos(10);
                } catch (Throwable t) {
                    if (!running) {
                        break;
                    }
                    lastFailure = t;
                    LOG.error("job {} failed; recovering from its last checkpoint in {} ms", job.name(),
                            TimeUnit.NANOSECONDS.toMillis(backoff), t);
                    try {
                        job.recover();
                    } catch (Throwable r) {
                        LOG.error("job {} could not recover", job.name(), r);
                    }
                    LockSupport.parkNanos(backoff);
                    backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                }
            }
            try {
                job.stop();
            } catch (Throwable t) {
                lastFailure = t;
                LOG.error("job {} failed to stop cleanly", job.name(), t);
            }
        }

        @Override
        public boolean isRunning() {
            return running && thread.isAlive();
        }

        @Override
        public Optional<Throwable> lastFailure() {
            return Optional.ofNullable(lastFailure);
        }

        @Override
        public void requestStop() {
            running = false;
            LockSupport.unpark(thread);
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("job {} did not stop within 30 s", job.name());
            }
        }
    }
}
