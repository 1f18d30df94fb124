package dev.tally.api;

import java.time.Duration;
import java.time.Instant;

/**
 * How far the engine's aggregation is behind ingestion.
 *
 * @param aggregating    the aggregation job is running (it retries by itself after a failure)
 * @param lag            how long the oldest acknowledged but not yet aggregated batch has waited (zero when
 *                       caught up), on the engine clock
 * @param lastFlush      when aggregated values were last made visible to queries; {@code null} before the first
 * @param lastFailure    the aggregator's failure if its latest step failed (it is retrying), or {@code null}
 */
public record EngineHealth(boolean aggregating, Duration lag, Instant lastFlush, String lastFailure) {
}
