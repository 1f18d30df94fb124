package dev.tally.cloud;

import dev.tally.api.MetricDefinition;
import dev.tally.api.RejectedEvent;
import dev.tally.api.SchemaVersion;
import dev.tally.spi.*;
import dev.tally.spi.BackendConfig;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Placeholder: replaced by the real implementation. */
final class PostgresWarehouse implements Warehouse {
    PostgresWarehouse(PostgresDatabase db) {
    }

    @Override
    public void recordRejections(List<RejectedEvent> events) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<RejectedEvent> rejectedEvents(String projectId, int limit) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void trimRejections(int keepPerProject) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void upsertAggregates(List<Warehouse.AggregateRow> rows) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Warehouse.AggregateRow> aggregates(String projectId, String metric, String granularity, Instant from, Instant to) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void insertEventMetadata(List<Warehouse.EventMetadata> rows) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long countEventMetadata(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<Warehouse.EventMetadata> eventMetadata(String projectId, String eventId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void commitArchive(Checkpoint position, List<Warehouse.ArchivedFile> files) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public LogPosition archivePosition(String consumer) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Warehouse.ArchivedFile> archivedFiles(String projectId, Instant from, Instant to) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Warehouse.ArchivedFile> archivedFiles(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Warehouse.ArchivedFile> archivedFilesBefore(Instant hourBefore, Warehouse.StorageClass storageClass, int limit) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void relocateArchivedFile(long fileId, String newKey, Warehouse.StorageClass storageClass) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long forgetArchivedFiles(List<Long> fileIds) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Warehouse.RollupTask> pendingRollups(Instant startedBefore, int limit) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void commitRollup(List<Warehouse.RollupTask> tasks, List<Warehouse.AggregateRow> hourRows, List<Warehouse.AggregateRow> dayRows) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void resetRollups(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<Instant> rolledUpHours(String projectId, Instant from, Instant to) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long rollupVersion(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long expireAggregates(Instant before) {
        throw new UnsupportedOperationException("not built yet");
    }
}
