package dev.tally.cloud.flink;

import dev.tally.cloud.AggregationStores;
import dev.tally.engine.aggregate.AggregationJob;
import dev.tally.spi.LogPosition;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes how far the job has aggregated, as the {@value AggregationJob#CONSUMER} checkpoint the engines follow
 * ({@code awaitIdle}, health, log truncation). Chained to the source, it notes the last offset of every partition
 * its source instance read; at a checkpoint it remembers them under the checkpoint's id, and once Flink reports
 * that checkpoint complete (every sink has flushed what came before the barrier) it raises the stored position
 * to them. Each instance advances only its own partitions ({@link AggregationStores#advanceCheckpoint}).
 *
 * <p>Passes every entry on unchanged. Keeps no Flink state: after a restore the source re-reads from the restored
 * offsets, and the published position never moves back.
 */
final class PublishProgress extends RichMapFunction<LogEntry, LogEntry> implements CheckpointedFunction,
        CheckpointListener {
    private static final long serialVersionUID = 1L;
    private final JobSettings settings;
    private transient AggregationStores stores;
    private transient Map<String, Long> read;
    private transient TreeMap<Long, LogPosition> snapshots;
    private transient LogPosition published;

    PublishProgress(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        stores = settings.openStores();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        read = new HashMap<>();
        snapshots = new TreeMap<>();
        published = LogPosition.NONE;
    }

    @Override
    public LogEntry map(LogEntry entry) {
        read.put(entry.partition(), entry.offset());
        return entry;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (!read.isEmpty()) {
            snapshots.put(context.getCheckpointId(), LogPosition.of(read));
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map.Entry<Long, LogPosition> latest = snapshots.floorEntry(checkpointId);
        if (latest == null) {
            return;
        }
        snapshots.headMap(checkpointId, true).clear();
        if (!published.equals(latest.getValue())) {
            stores.advanceCheckpoint(AggregationJob.CONSUMER, latest.getValue());
            published = latest.getValue();
        }
    }

    @Override
    public void close() {
        if (stores != null) {
            stores.close();
        }
    }
}
