package dev.tally.api;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A consistent snapshot of an engine's data, as written by {@code Tally.backup} (or read back by a restore).
 *
 * @param directory      where the backup lives; its {@code backup.json} describes it
 * @param createdAt      engine time when the snapshot was taken
 * @param backend        the backend that wrote it (a backup restores only into the same backend)
 * @param logEnd         the event log position the backup ends at, in the log's text form: every event
 *                       acknowledged up to it is in the backup
 * @param archivedFiles  raw-event archive files copied
 * @param bytes          bytes written
 */
public record BackupSummary(Path directory, Instant createdAt, String backend, String logEnd, int archivedFiles,
                            long bytes) {
}
