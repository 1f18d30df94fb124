package dev.tally.engine.archive;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param enabled       whether the engine archives raw events at all ({@code tally.archive.enabled})
 * @param rollInterval  longest time a file stays open while events arrive ({@code tally.archive.roll-interval}, 1m)
 * @param maxFileBytes  a file is closed once this big ({@code tally.archive.max-file-size}, 128 MB)
 * @param rowGroupBytes Parquet row group size, which bounds the memory of each open file (32 MB)
 * @param maxOpenFiles  hour partitions open at once before all are rolled (64)
 * @param eventMetadata write one {@code events_metadata} row per event ({@code tally.archive.event-metadata}, off:
 *                      the manifest and the Parquet files answer where an event is; per-event rows cap the
 *                      archiver at the warehouse's insert rate, about 15K rows/s on H2)
 * @param spoolDir      where files are written before they are published; {@code null}: a temporary directory
 */
public record ArchiveSettings(boolean enabled, Duration rollInterval, long maxFileBytes, long rowGroupBytes,
                              int maxOpenFiles, boolean eventMetadata, Path spoolDir) {
    public static ArchiveSettings defaults() {
        return new ArchiveSettings(true, Duration.ofMinutes(1), 128L << 20, 32L << 20, 64, false, null);
    }
}
