package dev.tally.spi;

/**
 * Which of several engine instances sharing one set of stores runs the background jobs (aggregator, archiver,
 * rollups, retention): the others follow ({@link StreamRuntime.StreamJob#follow()}). A single-process backend
 * always leads ({@link #ALWAYS}); a shared one elects a leader (e.g. through a Kafka consumer group).
 *
 * <p>Fenced within the process: a step runs between {@link #enter()} and {@link #exit()}, and an implementation
 * that loses the lead waits for entered steps to exit before it lets another instance take over. Thread-safe.
 */
public interface Leadership extends AutoCloseable {

    /** Always leads: one engine per set of stores. */
    Leadership ALWAYS = new Leadership() {
        @Override
        public boolean enter() {
            return true;
        }

        @Override
        public void exit() {
        }

        @Override
        public boolean isLeader() {
            return true;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Never leads: an instance that only serves ingest and queries (a dedicated ingest tier), following the
     * checkpoints of the instance that runs the background jobs.
     */
    Leadership NEVER = new Leadership() {
        @Override
        public boolean enter() {
            return false;
        }

        @Override
        public void exit() {
        }

        @Override
        public boolean isLeader() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    /** {@code true} if this instance leads now and keeps the lead until {@link #exit()}; then call exit once. */
    boolean enter();

    /** Ends a step begun by a successful {@link #enter()}. */
    void exit();

    /** Whether this instance leads at the moment (for health and logs). */
    boolean isLeader();

    @Override
    void close();
}
