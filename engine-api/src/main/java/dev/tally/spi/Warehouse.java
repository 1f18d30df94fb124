package dev.tally.spi;

import dev.tally.api.RejectedEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Durable analytical tables: hourly/daily {@code metric_aggregates} (with sketches), {@code events_metadata},
 * and the rejected/late events listing. Batch methods write in one round trip where the store allows.
 * Thread-safe.
 */
public interface Warehouse {

    void recordRejections(List<RejectedEvent> events);

    /** Most recent first. */
    List<RejectedEvent> rejectedEvents(String projectId, int limit);

    /** Keeps only the newest {@code keepPerProject} rejected events of each project. */
    void trimRejections(int keepPerProject);

    /** Inserts or replaces rows by (project, metric, granularity, timestamp, dimensions). */
    void upsertAggregates(List<AggregateRow> rows);

    /** Rows of one metric and granularity with {@code from <= timestamp < to}. */
    List<AggregateRow> aggregates(String projectId, String metric, String granularity, Instant from, Instant to);

    void insertEventMetadata(List<EventMetadata> rows);

    long countEventMetadata(String projectId);

    /**
     * One row of {@code metric_aggregates}.
     *
     * @param granularity {@code hour} or {@code day}
     * @param value       the metric's value for the row (what the seed's {@code value} column holds)
     * @param aggregate   the mergeable state, so coarser answers merge rows instead of adding values
     */
    record AggregateRow(String projectId, String metric, String metricType, String granularity, Instant timestamp,
                        Double value, Map<String, String> dimensions, Aggregate aggregate) {
        public AggregateRow {
            dimensions = Map.copyOf(dimensions);
        }
    }

    /** One row of {@code events_metadata}: where an archived event lives. */
    record EventMetadata(String eventId, String userId, String eventType, String projectId, Instant timestamp,
                         Instant ingestedAt, String storagePath, String filePartition, String propertiesHash,
                         String status) {
    }
}
