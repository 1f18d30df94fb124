package dev.tally.cloud.flink;

/**
 * One record of the event log as the job reads it, before decoding: where it was in the log, its times, and the
 * encoded event ({@code dev.tally.engine.codec.EventCodec}). The payload travels encoded: it is smaller than the
 * decoded event and needs no Flink serializer of its own.
 *
 * @param partition    the partition's name in a {@link dev.tally.spi.LogPosition} ({@code <topic>/<partition>})
 * @param offset       the record's offset in that partition
 * @param appendMillis when the engine appended it (engine clock; the record's Kafka timestamp)
 * @param eventMillis  the event's own time, or {@code appendMillis} when the payload is unreadable
 * @param projectId    the project, or {@code ""} when the payload is unreadable
 * @param metricsVersion the catalog's metrics version at the append ({@code KafkaEventLog.METRICS_VERSION_HEADER}),
 *                     0 when the record does not carry it
 * @param payload      the encoded event
 */
public record LogEntry(String partition, long offset, long appendMillis, long eventMillis, String projectId,
                       long metricsVersion, byte[] payload) {
}
