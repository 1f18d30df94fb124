package dev.tally.spi;

import dev.tally.api.BackupSummary;
import dev.tally.api.NotSupportedException;

import java.nio.file.Path;

/**
 * One set of storage and stream components the engine runs on. Opening may start threads and take file
 * locks; {@link #close()} releases them. Implementations are thread-safe.
 */
public interface Backend extends AutoCloseable {

    String name();

    EventLog eventLog();

    DedupIndex dedup();

    WindowStore windows();

    Catalog catalog();

    Warehouse warehouse();

    ObjectStore objects();

    ResultCache cache();

    StreamRuntime streams();

    /**
     * Writes a consistent snapshot of everything this backend stores (catalog, warehouse, window checkpoints,
     * event log, archive) into {@code target}, an absolute path that is missing or an empty directory, while
     * the engine keeps running; {@link BackendProvider#restore} brings it back. Ingest may pause briefly.
     *
     * @throws NotSupportedException when the backend's stores are backed up with their own tools
     * @throws dev.tally.api.InvalidRequestException for a target the backend cannot use (e.g. inside its data)
     */
    default BackupSummary backup(Path target) {
        throw new NotSupportedException("the " + name() + " backend does not write backups: back up its stores "
                + "(database, log, object store) with their own tools");
    }

    @Override
    void close();
}
