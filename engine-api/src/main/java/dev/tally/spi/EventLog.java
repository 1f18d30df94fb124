package dev.tally.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The durable, ordered, replayable event log. {@link #append} returns only once the records are durable
 * (acknowledged); a batch is one write. Thread-safe.
 */
public interface EventLog {

    /**
     * Appends one batch for a project as a single durable write.
     *
     * @throws dev.tally.api.UnableToAppendException when nothing of the batch was written
     */
    void append(String projectId, List<LogRecord> records);

    /** Position of the last record appended so far, across all projects (what a caught-up consumer covers). */
    LogPosition endPosition();

    /**
     * Waits until every acknowledged append is in the log proper, readable by consumers and covered by
     * {@link #endPosition()}. A log that acknowledges appends into a local spool while its servers are unreachable
     * delivers that spool first; a log that writes directly returns {@code true} at once.
     *
     * @return {@code false} on timeout
     */
    default boolean awaitDelivered(Duration timeout) {
        return true;
    }

    /** Opens a consumer that resumes right after {@code after} ({@link LogPosition#NONE}: from the beginning). */
    Subscription subscribe(String consumer, LogPosition after);

    /**
     * Where the records appended at or after {@code time} (ingest time, engine clock) begin: a consumer that
     * subscribes after the returned position reads exactly the retained records appended at or after
     * {@code time}, then whatever is appended later. {@link LogPosition#NONE} when that is the start of the
     * retained log; {@link #endPosition()} when nothing was appended since {@code time}.
     */
    LogPosition positionAt(Instant time);

    /**
     * Drops records that every consumer has consumed ({@code consumed} covers them) and that were appended
     * before {@code appendedBefore}. Logs drop whole segments (files, roll cycles), so they may keep more than
     * allowed, never less: the record at {@code consumed} (where consumers resume), every record after it
     * and the segment being written stay.
     *
     * @return the bytes freed (0 when nothing could be dropped)
     */
    long truncate(LogPosition consumed, Instant appendedBefore);

    /** A single consumer's cursor; used by one thread at a time. */
    interface Subscription extends AutoCloseable {

        /**
         * Records in log order, waiting at most {@code timeout} when none are available. Stops adding once
         * {@code maxRecords} is reached, but never splits one appended batch (positions are per batch, so a
         * split batch could not be resumed exactly): a poll may return one batch larger than
         * {@code maxRecords}.
         */
        LogBatch poll(int maxRecords, Duration timeout);

        @Override
        void close();
    }
}
