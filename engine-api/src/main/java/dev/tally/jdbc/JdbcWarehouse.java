package dev.tally.jdbc;

import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.Warehouse;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.tally.jdbc.SqlValues.instant;
import static dev.tally.jdbc.SqlValues.ts;

/**
 * The warehouse over JDBC: {@code metric_aggregates}, {@code events_metadata}, {@code rejected_events}, the
 * archive manifest {@code archive_files} and the rollup bookkeeping ({@code rollup_periods},
 * {@code rollup_versions}). Bulk writes go through the dialect's {@link SqlDialect#upsertAll} (JDBC batches on
 * H2, {@code COPY} on PostgreSQL); {@link #commitArchive} and {@link #commitRollup} are single transactions.
 *
 * <p>Dimensions are stored as canonical JSON text (keys sorted), so the same map is the same key whatever its
 * insertion order, in every database. Backends subclass it only to name it. Thread-safe.
 */
public class JdbcWarehouse implements Warehouse {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Violation>> VIOLATIONS = new TypeReference<>() { };
    private static final TypeReference<TreeMap<String, String>> DIMENSIONS = new TypeReference<>() { };
    private static final int MAX_TEXT = 8192;

    private static final Upsert AGGREGATES = new Upsert("metric_aggregates",
            List.of("project_id", "metric_name", "metric_type", "time_granularity", "\"timestamp\"", "\"value\"",
                    "dimensions", "aggregate_state"),
            List.of("project_id", "metric_name", "time_granularity", "\"timestamp\"", "dimensions"));
    private static final Upsert EVENTS_METADATA = new Upsert("events_metadata",
            List.of("event_id", "user_id", "event_type", "project_id", "\"timestamp\"", "ingested_at", "storage_path",
                    "file_partition", "properties_hash", "status"),
            List.of("project_id", "event_id"));
    private static final Upsert DUPLICATES = new Upsert("duplicate_events",
            List.of("project_id", "event_id", "copies", "last_seen"), List.of("project_id", "event_id"));
    private static final Upsert ROLLUP_PERIODS = new Upsert("rollup_periods",
            List.of("project_id", "hour_start", "max_file_id", "rolled_at"), List.of("project_id", "hour_start"));

    private final SqlDatabase db;

    public JdbcWarehouse(SqlDatabase db) {
        this.db = db;
    }

    @Override
    public void recordRejections(List<RejectedEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rejected_events(project_id, event_id, "
                    + "event_type, reason, violations, recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (RejectedEvent e : events) {
                    ps.setString(1, e.projectId());
                    ps.setString(2, cut(e.eventId(), 200));
                    ps.setString(3, cut(e.eventType(), 200));
                    ps.setString(4, e.reason().name());
                    ps.setString(5, JSON.writeValueAsString(e.violations()));
                    ps.setObject(6, ts(e.recordedAt()));
                    ps.setString(7, cut(e.payload(), MAX_TEXT));
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    @Override
    public List<RejectedEvent> rejectedEvents(String projectId, int limit) {
        return rejections(projectId, "", null, limit);
    }

    /** Rejected events of a project, newest first; of one id only when {@code eventId} is not null. */
    private List<RejectedEvent> rejections(String projectId, String idFilter, String eventId, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id, event_type, reason, violations, "
                    + "recorded_at, payload FROM rejected_events WHERE project_id = ?" + idFilter
                    + " ORDER BY id DESC LIMIT ?")) {
                int i = 1;
                ps.setString(i++, projectId);
                if (eventId != null) {
                    ps.setString(i++, cut(eventId, 200));
                }
                ps.setInt(i, limit);
                List<RejectedEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RejectedEvent(projectId, rs.getString(1), rs.getString(2),
                                RejectedEvent.Reason.valueOf(rs.getString(3)), JSON.readValue(rs.getString(4), VIOLATIONS),
                                instant(rs, 5), rs.getString(6)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void trimRejections(int keepPerProject) {
        db.inTransaction(c -> {
            List<String> projects = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT project_id FROM rejected_events GROUP BY project_id "
                    + "HAVING COUNT(*) > ?")) {
                ps.setInt(1, keepPerProject);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        projects.add(rs.getString(1));
                    }
                }
            }
            for (String p : projects) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM rejected_events WHERE project_id = ? AND id <= "
                        + "(SELECT id FROM rejected_events WHERE project_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)")) {
                    ps.setString(1, p);
                    ps.setString(2, p);
                    ps.setInt(3, keepPerProject);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public List<RejectedEvent> rejections(String projectId, String eventId, int limit) {
        return rejections(projectId, " AND event_id = ?", eventId, limit);
    }

    /**
     * Inserts a zero row for each new id (leaving existing rows alone), then adds each id's count; both statements
     * are plain SQL every dialect runs, and the update locks the rows, so concurrent engines add up.
     */
    @Override
    public void recordDuplicates(String projectId, List<String> eventIds, Instant at) {
        if (eventIds.isEmpty()) {
            return;
        }
        Map<String, Long> counts = new TreeMap<>();
        for (String id : eventIds) {
            counts.merge(cut(id, 200), 1L, Long::sum);
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent(DUPLICATES))) {
                for (String id : counts.keySet()) {
                    ps.setString(1, projectId);
                    ps.setString(2, id);
                    ps.setLong(3, 0);
                    ps.setObject(4, ts(at));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE duplicate_events SET copies = copies + ?, "
                    + "last_seen = ? WHERE project_id = ? AND event_id = ?")) {
                for (Map.Entry<String, Long> e : counts.entrySet()) {
                    ps.setLong(1, e.getValue());
                    ps.setObject(2, ts(at));
                    ps.setString(3, projectId);
                    ps.setString(4, e.getKey());
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    @Override
    public long duplicates(String projectId, String eventId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT copies FROM duplicate_events WHERE project_id = ? AND event_id = ?")) {
                ps.setString(1, projectId);
                ps.setString(2, cut(eventId, 200));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public void trimDuplicates(Instant before) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM duplicate_events WHERE last_seen < ?")) {
                ps.setObject(1, ts(before));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void upsertAggregates(List<AggregateRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            writeAggregates(c, rows);
            return null;
        });
    }

    private void writeAggregates(Connection c, List<AggregateRow> rows) throws SQLException {
        List<Object[]> values = new ArrayList<>(rows.size());
        for (AggregateRow r : rows) {
            BigDecimal value = r.value() == null || !Double.isFinite(r.value())
                    ? null : BigDecimal.valueOf(r.value()).setScale(2, RoundingMode.HALF_UP);
            values.add(new Object[]{r.projectId(), r.metric(), r.metricType(), r.granularity(), ts(r.timestamp()),
                    value, JSON.writeValueAsString(new TreeMap<>(r.dimensions())), r.aggregate().toBytes()});
        }
        db.dialect().upsertAll(c, AGGREGATES, values);
    }

    @Override
    public List<AggregateRow> aggregates(String projectId, String metric, String granularity, Instant from, Instant to) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT metric_type, \"timestamp\", \"value\", dimensions, "
                    + "aggregate_state FROM metric_aggregates WHERE project_id = ? AND metric_name = ? "
                    + "AND time_granularity = ? AND \"timestamp\" >= ? AND \"timestamp\" < ? ORDER BY \"timestamp\"")) {
                ps.setString(1, projectId);
                ps.setString(2, metric);
                ps.setString(3, granularity);
                ps.setObject(4, ts(from));
                ps.setObject(5, ts(to));
                List<AggregateRow> out = new ArrayList<>();
                // Rows of one metric repeat few dimension combinations: parse each distinct text once.
                Map<String, Map<String, String>> parsed = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        BigDecimal v = rs.getBigDecimal(3);
                        Map<String, String> dims = parsed.computeIfAbsent(rs.getString(4),
                                text -> Map.copyOf(JSON.readValue(text, DIMENSIONS)));
                        out.add(new AggregateRow(projectId, metric, rs.getString(1), granularity,
                                instant(rs, 2), v == null ? null : v.doubleValue(), dims,
                                Aggregate.fromBytes(rs.getBytes(5))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void insertEventMetadata(List<EventMetadata> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<Object[]> values = new ArrayList<>(rows.size());
        for (EventMetadata m : rows) {
            values.add(new Object[]{m.eventId(), m.userId(), m.eventType(), m.projectId(), ts(m.timestamp()),
                    ts(m.ingestedAt()), m.storagePath(), m.filePartition(), m.propertiesHash(), m.status()});
        }
        db.inTransaction(c -> {
            db.dialect().upsertAll(c, EVENTS_METADATA, values);
            return null;
        });
    }

    @Override
    public Optional<EventMetadata> eventMetadata(String projectId, String eventId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT m.user_id, m.event_type, m.\"timestamp\", "
                    + "m.ingested_at, COALESCE(f.current_key, m.storage_path), m.file_partition, m.properties_hash, "
                    + "CASE WHEN f.id IS NULL THEN 'pending' ELSE m.status END FROM events_metadata m "
                    + "LEFT JOIN archive_files f ON f.object_key = m.storage_path "
                    + "WHERE m.project_id = ? AND m.event_id = ?")) {
                ps.setString(1, projectId);
                ps.setString(2, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new EventMetadata(eventId, rs.getString(1), rs.getString(2), projectId,
                            instant(rs, 3), instant(rs, 4), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getString(8)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public long countEventMetadata(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM events_metadata WHERE project_id = ?")) {
                ps.setString(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public void commitArchive(Checkpoint position, List<ArchivedFile> files) {
        db.inTransaction(c -> {
            if (!files.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO archive_files(project_id, object_key, "
                        + "hour_start, row_count, size_bytes, min_timestamp, max_timestamp, storage_class, created_at, "
                        + "current_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                    for (ArchivedFile f : files) {
                        ps.setString(1, f.projectId());
                        ps.setString(2, f.key());
                        ps.setObject(3, ts(f.hour()));
                        ps.setLong(4, f.rows());
                        ps.setLong(5, f.bytes());
                        ps.setObject(6, ts(f.minTimestamp()));
                        ps.setObject(7, ts(f.maxTimestamp()));
                        ps.setString(8, f.storageClass().name());
                        ps.setObject(9, now);
                        ps.setString(10, f.key());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            ConsumerCheckpoints.save(c, db.dialect(), position);
            return null;
        });
    }

    @Override
    public LogPosition archivePosition(String consumer) {
        return db.read(c -> ConsumerCheckpoints.position(c, consumer));
    }

    private static final String FILE_COLUMNS = "id, project_id, current_key, hour_start, row_count, size_bytes, "
            + "min_timestamp, max_timestamp, storage_class FROM archive_files ";

    @Override
    public List<ArchivedFile> archivedFiles(String projectId, Instant from, Instant to) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + FILE_COLUMNS + "WHERE project_id = ? "
                    + "AND hour_start > ? AND hour_start < ? ORDER BY hour_start, id")) {
                ps.setString(1, projectId);
                ps.setObject(2, ts(from.minusSeconds(3600)));
                ps.setObject(3, ts(to));
                return files(ps);
            }
        });
    }

    @Override
    public List<ArchivedFile> archivedFiles(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + FILE_COLUMNS + "WHERE project_id = ? "
                    + "ORDER BY hour_start, id")) {
                ps.setString(1, projectId);
                return files(ps);
            }
        });
    }

    @Override
    public List<ArchivedFile> archivedFilesBefore(Instant hourBefore, StorageClass storageClass, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + FILE_COLUMNS + "WHERE hour_start < ? "
                    + "AND storage_class = ? ORDER BY hour_start, id LIMIT ?")) {
                ps.setObject(1, ts(hourBefore));
                ps.setString(2, storageClass.name());
                ps.setInt(3, limit);
                return files(ps);
            }
        });
    }

    private static List<ArchivedFile> files(PreparedStatement ps) throws SQLException {
        List<ArchivedFile> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ArchivedFile(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs, 4),
                        rs.getLong(5), rs.getLong(6), instant(rs, 7), instant(rs, 8),
                        StorageClass.valueOf(rs.getString(9))));
            }
        }
        return out;
    }

    @Override
    public void relocateArchivedFile(long fileId, String newKey, StorageClass storageClass) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE archive_files SET current_key = ?, storage_class = ? WHERE id = ?")) {
                ps.setString(1, newKey);
                ps.setString(2, storageClass.name());
                ps.setLong(3, fileId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public long forgetArchivedFiles(List<Long> fileIds) {
        if (fileIds.isEmpty()) {
            return 0;
        }
        return db.inTransaction(c -> {
            long metadataRows = 0;
            // A file's events lie within its [min, max] timestamps: the timestamp index finds their rows.
            try (PreparedStatement file = c.prepareStatement("SELECT project_id, object_key, min_timestamp, "
                    + "max_timestamp FROM archive_files WHERE id = ?");
                 PreparedStatement metadata = c.prepareStatement("DELETE FROM events_metadata WHERE \"timestamp\" >= ? "
                         + "AND \"timestamp\" <= ? AND project_id = ? AND storage_path = ?");
                 PreparedStatement files = c.prepareStatement("DELETE FROM archive_files WHERE id = ?")) {
                for (long id : fileIds) {
                    file.setLong(1, id);
                    try (ResultSet rs = file.executeQuery()) {
                        if (rs.next()) {
                            metadata.setObject(1, rs.getObject(3, OffsetDateTime.class));
                            metadata.setObject(2, rs.getObject(4, OffsetDateTime.class));
                            metadata.setString(3, rs.getString(1));
                            metadata.setString(4, rs.getString(2));
                            metadataRows += metadata.executeUpdate();
                        }
                    }
                    files.setLong(1, id);
                    files.addBatch();
                }
                files.executeBatch();
            }
            return metadataRows;
        });
    }

    @Override
    public List<RollupTask> pendingRollups(Instant startedBefore, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT f.project_id, f.hour_start, MAX(f.id) "
                    + "FROM archive_files f LEFT JOIN rollup_periods r "
                    + "ON r.project_id = f.project_id AND r.hour_start = f.hour_start "
                    + "WHERE f.hour_start < ? AND (r.max_file_id IS NULL OR f.id > r.max_file_id) "
                    + "GROUP BY f.project_id, f.hour_start ORDER BY f.hour_start, f.project_id LIMIT ?")) {
                ps.setObject(1, ts(startedBefore));
                ps.setInt(2, limit);
                List<RollupTask> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RollupTask(rs.getString(1), instant(rs, 2), rs.getLong(3)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The transaction first bumps the project's rollup version, which locks its row: two engines committing
     * rollups of one project take turns instead of interleaving their deletes and inserts.
     */
    @Override
    public void commitRollup(List<RollupTask> tasks, List<AggregateRow> hourRows, List<AggregateRow> dayRows) {
        if (tasks.isEmpty()) {
            return;
        }
        String projectId = tasks.get(0).projectId();
        Instant day = tasks.get(0).hour().truncatedTo(ChronoUnit.DAYS);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    db.dialect().increment("rollup_versions", "project_id", "version"))) {
                ps.setString(1, projectId);
                ps.executeUpdate();
            }
            for (RollupTask task : tasks) {
                for (String g : Warehouse.family("hour")) {
                    deleteRows(c, projectId, g, task.hour(), task.hour().plus(1, ChronoUnit.HOURS));
                }
            }
            for (String g : Warehouse.family("day")) {
                deleteRows(c, projectId, g, day, day.plus(1, ChronoUnit.DAYS));
            }
            List<AggregateRow> all = new ArrayList<>(hourRows.size() + dayRows.size());
            all.addAll(hourRows);
            all.addAll(dayRows);
            writeAggregates(c, all);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<Object[]> periods = new ArrayList<>(tasks.size());
            for (RollupTask task : tasks) {
                periods.add(new Object[]{projectId, ts(task.hour()), task.maxFileId(), now});
            }
            db.dialect().upsertAll(c, ROLLUP_PERIODS, periods);
            return null;
        });
    }

    private static void deleteRows(Connection c, String projectId, String granularity, Instant from, Instant to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM metric_aggregates WHERE project_id = ? "
                + "AND time_granularity = ? AND \"timestamp\" >= ? AND \"timestamp\" < ?")) {
            ps.setString(1, projectId);
            ps.setString(2, granularity);
            ps.setObject(3, ts(from));
            ps.setObject(4, ts(to));
            ps.executeUpdate();
        }
    }

    @Override
    public void resetRollups(String projectId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM rollup_periods WHERE project_id = ?")) {
                ps.setString(1, projectId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Instant> rolledUpHours(String projectId, Instant from, Instant to) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT hour_start FROM rollup_periods WHERE project_id = ? "
                    + "AND hour_start >= ? AND hour_start < ? ORDER BY hour_start")) {
                ps.setString(1, projectId);
                ps.setObject(2, ts(from));
                ps.setObject(3, ts(to));
                List<Instant> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(instant(rs, 1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long rollupVersion(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT version FROM rollup_versions WHERE project_id = ?")) {
                ps.setString(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public long expireAggregates(Instant before) {
        return db.inTransaction(c -> {
            long n;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM metric_aggregates WHERE \"timestamp\" < ?")) {
                ps.setObject(1, ts(before));
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM rollup_periods WHERE hour_start < ?")) {
                ps.setObject(1, ts(before));
                ps.executeUpdate();
            }
            return n;
        });
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
