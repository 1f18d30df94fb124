package dev.tally.spi;

import java.util.Optional;

/**
 * Runs the engine's streaming jobs (aggregation, later archiving): an in-process thread or a cluster.
 * Thread-safe.
 */
public interface StreamRuntime {

    Handle start(StreamJob job);

    /**
     * Whether a stream processor outside the engine aggregates the log (the cloud backend's Flink job, when it runs
     * one): the engine then runs no aggregator of its own and follows that processor's {@code aggregator}
     * checkpoint, as with {@code tally.aggregator.runtime=external}. {@code false} by default.
     */
    default boolean aggregatesExternally() {
        return false;
    }

    /**
     * A job as a sequence of steps. {@link #step()} may block briefly waiting for input; an exception makes
     * the runtime call {@link #recover()} and continue after a back-off, so a job must resume from its last
     * checkpoint there.
     */
    interface StreamJob {
        String name();

        /** Does one unit of work; {@code true} if it made progress. */
        boolean step() throws Exception;

        /** Called after {@link #step()} threw: drop in-flight state, resume from the last checkpoint. */
        void recover();

        /**
         * Called instead of {@link #step()}, every ~100 ms, while another engine instance sharing the same stores
         * runs this job (a coordinated runtime runs each job on one instance at a time). Drops any in-flight
         * state left from leading, then observes the running instance's committed progress so that waits on
         * this instance ({@code awaitIdle}) see it. Writes nothing; returns promptly.
         */
        default void follow() throws Exception {
        }

        /** Called once when the job stops; flushes what it holds. */
        void stop();
    }

    /** A running job. */
    interface Handle extends AutoCloseable {
        boolean isRunning();

        /** The failure of the latest step if it failed; cleared once a step succeeds (the job keeps retrying). */
        Optional<Throwable> lastFailure();

        /**
         * Asks the job to stop after its current step, without waiting: an engine asks all its jobs first, then
         * {@link #close()}s each, so their last steps overlap instead of adding up. The default does nothing.
         */
        default void requestStop() {
        }

        /** Stops the job, waiting for its current step and {@link StreamJob#stop()} to finish. */
        @Override
        void close();
    }
}
