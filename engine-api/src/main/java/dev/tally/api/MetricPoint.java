package dev.tally.api;

import java.time.Instant;
import java.util.Map;

/**
 * One bucket of a metric result. {@code value} is {@code null} when the aggregation has no value for the
 * bucket (min/max/avg of zero events never appear; buckets without events are omitted).
 */
public record MetricPoint(Instant timestamp, Double value, Map<String, String> dimensions) {
    public MetricPoint {
        dimensions = dimensions == null ? Map.of() : Map.copyOf(dimensions);
    }
}
