package dev.tally.cloud.flink;

import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.cloud.AggregationStores;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records late events in the rejected listing (the PostgreSQL warehouse), as the in-process aggregator does, so
 * none is dropped silently. Written before every checkpoint barrier, hence before the job's position passes them.
 * Records re-read after a restore (those since the last completed checkpoint) may judge the same events late again;
 * those already listed are left out ({@code AggregationStores.recordLateOnce}), so each is listed once.
 */
final class RejectionSink implements Sink<LateEvent> {
    private static final long serialVersionUID = 1L;
    private final JobSettings settings;

    RejectionSink(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<LateEvent> createWriter(WriterInitContext context) {
        return new Writer(settings.openStores());
    }

    private static final class Writer implements SinkWriter<LateEvent> {
        private final AggregationStores stores;
        private final List<RejectedEvent> pending = new ArrayList<>();

        Writer(AggregationStores stores) {
            this.stores = stores;
        }

        @Override
        public void write(LateEvent late, Context context) {
            pending.add(new RejectedEvent(late.projectId(), late.eventId(), late.eventType(), RejectedEvent.Reason.LATE,
                    List.of(new Violation("timestamp", "late", late.why())), Instant.ofEpochMilli(late.recordedMillis()),
                    null));
        }

        @Override
        public void flush(boolean endOfInput) {
            if (!pending.isEmpty()) {
                stores.recordLateOnce(List.copyOf(pending));
                pending.clear();
            }
        }

        @Override
        public void close() {
            stores.close();
        }
    }
}
