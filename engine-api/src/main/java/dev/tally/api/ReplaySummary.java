package dev.tally.api;

import java.time.Instant;

/**
 * A replay of the real-time windows ({@code Tally.replay}): windows starting at or after {@link #from()} were
 * dropped and are being rebuilt from the event log. Re-aggregation runs in the background; {@code awaitIdle()}
 * returns once it has caught up.
 *
 * @param requested the time asked for
 * @param from      where rebuilt windows start: {@code requested} moved down to a full hour (the largest window)
 *                  and up to the start of real-time retention
 * @param logAfter  the log position re-aggregation resumes after, in the log's text form (empty: the start)
 * @param logUntil  the position the aggregator had reached, up to which records are re-read
 */
public record ReplaySummary(Instant requested, Instant from, String logAfter, String logUntil) {
}
