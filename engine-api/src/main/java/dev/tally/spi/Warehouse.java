package dev.tally.spi;

import dev.tally.api.RejectedEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** The rejected and late records of one event id, most recent first (at most {@code limit}). */
    List<RejectedEvent> rejections(String projectId, String eventId, int limit);

    /**
     * Counts submissions refused as duplicates: each id in the list (repeated ids count once each time) adds one
     * to that id's count and sets its last sighting to {@code at}.
     */
    void recordDuplicates(String projectId, List<String> eventIds, Instant at);

    /** How many submissions of an id were refused as duplicates (kept while its last sighting is recent); 0 if none. */
    long duplicates(String projectId, String eventId);

    /** Forgets duplicate counts whose last sighting is before {@code before} (the dedup window has passed). */
    void trimDuplicates(Instant before);

    /** Inserts or replaces rows by (project, metric, granularity, timestamp, dimensions). */
    void upsertAggregates(List<AggregateRow> rows);

    /** Rows of one metric and granularity with {@code from <= timestamp < to}. */
    List<AggregateRow> aggregates(String projectId, String metric, String granularity, Instant from, Instant to);

    void insertEventMetadata(List<EventMetadata> rows);

    long countEventMetadata(String projectId);

    /**
     * Where an event was archived: its row with the file's current key, status {@code processed} once the
     * file is committed, {@code pending} while the file is still being written.
     */
    Optional<EventMetadata> eventMetadata(String projectId, String eventId);

    // ---- raw-event archive -------------------------------------------------------------------------------

    /**
     * Commits archived files in one transaction: their manifest rows and the archiver's log position. Files
     * are published to the object store before this call; one that is published but never committed is
     * invisible (readers go through {@link #archivedFiles}) and is overwritten when the archiver redoes its
     * range.
     */
    void commitArchive(Checkpoint position, List<ArchivedFile> files);

    /** The archiver's committed position ({@link LogPosition#NONE} before its first commit). */
    LogPosition archivePosition(String consumer);

    /** Committed files of a project whose hour partition overlaps {@code [from, to)}, oldest hour first. */
    List<ArchivedFile> archivedFiles(String projectId, Instant from, Instant to);

    /** Every committed file of a project (for backups and retention), oldest hour first. */
    List<ArchivedFile> archivedFiles(String projectId);

    /**
     * Committed files of one storage class, of every project, whose hour partition starts before
     * {@code hourBefore}; oldest hour first, at most {@code limit} (for retention).
     */
    List<ArchivedFile> archivedFilesBefore(Instant hourBefore, StorageClass storageClass, int limit);

    /** Points a file's manifest row at its new key (after the object moved, e.g. to the cold prefix). */
    void relocateArchivedFile(long fileId, String newKey, StorageClass storageClass);

    /**
     * Deletes manifest rows and the {@code events_metadata} rows of the events in those files, in one
     * transaction (retention, before it deletes the objects: a file is never listed without its object).
     *
     * @return how many {@code events_metadata} rows were deleted
     */
    long forgetArchivedFiles(List<Long> fileIds);

    // ---- rollups -----------------------------------------------------------------------------------------

    /**
     * (project, hour) pairs with archived files newer than their last rollup, among hours that start before
     * {@code startedBefore}; oldest first.
     */
    List<RollupTask> pendingRollups(Instant startedBefore, int limit);

    /**
     * Replaces the {@code hour} rows of the tasks' hours and the {@code day} rows of their UTC day (each with
     * its projection rows, see {@link #family}), and records
     * each hour as rolled up through its task's {@code maxFileId}, in one transaction. The tasks belong to one
     * project and one UTC day.
     */
    void commitRollup(List<RollupTask> tasks, List<AggregateRow> hourRows, List<AggregateRow> dayRows);

    /** Forgets which hours of a project are rolled up, so the scheduler rolls its whole archive up again (after a metric is defined). */
    void resetRollups(String projectId);

    /** Start of every rolled-up hour of a project within {@code [from, to)}, ascending. */
    List<Instant> rolledUpHours(String projectId, Instant from, Instant to);

    /** Changes whenever a rollup of the project commits; part of query cache keys. */
    long rollupVersion(String projectId);

    /** Deletes aggregate rows older than {@code before}; returns how many. */
    long expireAggregates(Instant before);

    /**
     * Label of rollup rows that merge every dimension combination of a period ({@code day:*}): what a query
     * without {@code groupBy} or filters reads. Rollups write these beside the full rows.
     */
    static String allOf(String granularity) {
        return granularity + ":*";
    }

    /** Label of rollup rows merged per value of dimension {@code index} ({@code day:0}): a one-dimension {@code groupBy}. */
    static String byDimension(String granularity, int index) {
        return granularity + ":" + index;
    }

    /** A granularity and every projection label of it: the rows a rollup replaces for one period. */
    static List<String> family(String granularity) {
        List<String> out = new java.util.ArrayList<>(dev.tally.api.MetricDefinition.MAX_DIMENSIONS + 2);
        out.add(granularity);
        out.add(allOf(granularity));
        for (int d = 0; d < dev.tally.api.MetricDefinition.MAX_DIMENSIONS; d++) {
            out.add(byDimension(granularity, d));
        }
        return out;
    }

    /** Hot files stay where they were written; cold ones moved under the cold prefix (or storage class). */
    enum StorageClass { HOT, COLD }

    /**
     * One Parquet file of the raw-event archive.
     *
     * @param id   assigned by {@link #commitArchive}; {@code 0} before
     * @param hour start of the UTC hour partition the file belongs to
     */
    record ArchivedFile(long id, String projectId, String key, Instant hour, long rows, long bytes,
                        Instant minTimestamp, Instant maxTimestamp, StorageClass storageClass) {
    }

    /** An hour of a project to roll up, through the newest file {@code maxFileId}. */
    record RollupTask(String projectId, Instant hour, long maxFileId) {
    }

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
