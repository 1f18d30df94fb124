package dev.tally.cloud.flink;

import dev.tally.cloud.EventTopics;
import dev.tally.cloud.KafkaEventLog;
import dev.tally.engine.codec.EventCodec;
import dev.tally.engine.codec.StoredEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;

/**
 * Turns a Kafka record of the event log into a {@link LogEntry}. Every record yields one entry, an unreadable one
 * too (with project {@code ""}), so that the job's progress covers every offset; {@link RouteEvents} skips those.
 * The event is decoded here only for its time (the watermarks need it at the source) and again where it is used.
 */
final class EventDeserializer implements KafkaRecordDeserializationSchema<LogEntry> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<LogEntry> out) {
        String partition = EventTopics.partitionName(record.topic(), record.partition());
        long eventMillis = record.timestamp();
        String projectId = "";
        try {
            StoredEvent se = EventCodec.decode(record.value());
            eventMillis = se.event().timestamp().toEpochMilli();
            projectId = se.projectId();
        } catch (RuntimeException e) {
            // reported by RouteEvents, which sees the entry with the project it belongs to (none)
        }
        Header version = record.headers().lastHeader(KafkaEventLog.METRICS_VERSION_HEADER);
        long metricsVersion = version == null || version.value().length != Long.BYTES ? 0
                : ByteBuffer.wrap(version.value()).getLong();
        out.collect(new LogEntry(partition, record.offset(), record.timestamp(), eventMillis, projectId,
                metricsVersion, record.value()));
    }

    @Override
    public TypeInformation<LogEntry> getProducedType() {
        return TypeInformation.of(LogEntry.class);
    }
}
