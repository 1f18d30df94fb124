package dev.tally.cloud.flink;

import dev.tally.cloud.AggregationStores;
import dev.tally.spi.Aggregate;
import dev.tally.spi.WindowKey;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes whole-window values to the Redis window store. Each writer keeps the latest value per window and writes
 * them in one transaction when Flink flushes it, before every checkpoint barrier (and when
 * {@link #MAX_BUFFERED} windows wait). Writes overwrite whole windows, so replaying records after a restore
 * rewrites the same values: at-least-once delivery still leaves exact windows.
 */
final class WindowStoreSink implements Sink<WindowValue> {
    static final int MAX_BUFFERED = 50_000;
    private static final long serialVersionUID = 1L;

    private final JobSettings settings;

    WindowStoreSink(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<WindowValue> createWriter(WriterInitContext context) {
        return new Writer(settings.openStores());
    }

    private static final class Writer implements SinkWriter<WindowValue> {
        private final AggregationStores stores;
        private final Map<WindowKey, Aggregate> pending = new HashMap<>();

        Writer(AggregationStores stores) {
            this.stores = stores;
        }

        @Override
        public void write(WindowValue value, Context context) {
            pending.put(value.key(), value.aggregate());
            if (pending.size() >= MAX_BUFFERED) {
                flush(false);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (!pending.isEmpty()) {
                stores.putWindows(pending); // encoded at once: the accumulators may change right after
                pending.clear();
            }
        }

        @Override
        public void close() {
            stores.close();
        }
    }
}
