package dev.tally.api;

import java.time.Instant;

/**
 * What one retention run did ({@code Tally.runRetention()}, {@code tally retention run}, or the hourly
 * schedule).
 *
 * @param ranAt             engine time of the run; the cutoffs are measured back from it
 * @param filesMovedToCold  archived Parquet files moved from the hot to the cold prefix
 * @param filesDeleted      archived files deleted (past {@code tally.retention.raw})
 * @param eventRowsDeleted  {@code events_metadata} rows deleted with those files
 * @param aggregatesDeleted {@code metric_aggregates} rows deleted (past {@code tally.retention.aggregates})
 * @param logBytesFreed     bytes of event log dropped (consumed by every consumer and past {@code tally.retention.log})
 */
public record RetentionSummary(Instant ranAt, int filesMovedToCold, int filesDeleted, long eventRowsDeleted,
                               long aggregatesDeleted, long logBytesFreed) {
}
