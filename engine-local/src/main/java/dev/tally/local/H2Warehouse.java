package dev.tally.local;

import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Warehouse;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The warehouse tables on H2: batched writes, project-scoped reads. Thread-safe. */
final class H2Warehouse implements Warehouse {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Violation>> VIOLATIONS = new TypeReference<>() { };
    private static final TypeReference<TreeMap<String, String>> DIMENSIONS = new TypeReference<>() { };
    private static final int MAX_TEXT = 8192;

    private final H2Database db;

    H2Warehouse(H2Database db) {
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
                    ps.setObject(6, H2Database.ts(e.recordedAt()));
                    ps.setString(7, cut(e.payload(), MAX_TEXT));
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    @Override
    public List<RejectedEvent> rejectedEvents(String projectId, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id, event_type, reason, violations, "
                    + "recorded_at, payload FROM rejected_events WHERE project_id = ? ORDER BY id DESC LIMIT ?")) {
                ps.setString(1, projectId);
                ps.setInt(2, limit);
                List<RejectedEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RejectedEvent(projectId, rs.getString(1), rs.getString(2),
                                RejectedEvent.Reason.valueOf(rs.getString(3)), JSON.readValue(rs.getString(4), VIOLATIONS),
                                H2Database.instant(rs, 5), rs.getString(6)));
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
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT project_id FROM rejected_events GROUP BY project_id "
                         + "HAVING COUNT(*) > " + keepPerProject)) {
                while (rs.next()) {
                    projects.add(rs.getString(1));
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
    public void upsertAggregates(List<AggregateRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO metric_aggregates(project_id, metric_name, "
                    + "metric_type, time_granularity, \"timestamp\", \"value\", dimensions, aggregate_state) "
                    + "KEY (project_id, metric_name, time_granularity, \"timestamp\", dimensions) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AggregateRow r : rows) {
                    ps.setString(1, r.projectId());
                    ps.setString(2, r.metric());
                    ps.setString(3, r.metricType());
                    ps.setString(4, r.granularity());
                    ps.setObject(5, H2Database.ts(r.timestamp()));
                    if (r.value() == null || !Double.isFinite(r.value())) {
                        ps.setNull(6, Types.DECIMAL);
                    } else {
                        ps.setBigDecimal(6, BigDecimal.valueOf(r.value()).setScale(2, RoundingMode.HALF_UP));
                    }
                    ps.setString(7, JSON.writeValueAsString(new TreeMap<>(r.dimensions())));
                    ps.setBytes(8, r.aggregate().toBytes());
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
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
                ps.setObject(4, H2Database.ts(from));
                ps.setObject(5, H2Database.ts(to));
                List<AggregateRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        BigDecimal v = rs.getBigDecimal(3);
                        Map<String, String> dims = JSON.readValue(rs.getString(4), DIMENSIONS);
                        out.add(new AggregateRow(projectId, metric, rs.getString(1), granularity,
                                H2Database.instant(rs, 2), v == null ? null : v.doubleValue(), dims,
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
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO events_metadata(event_id, user_id, event_type, "
                    + "project_id, \"timestamp\", ingested_at, storage_path, file_partition, properties_hash, status) "
                    + "KEY (project_id, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (EventMetadata m : rows) {
                    ps.setString(1, m.eventId());
                    ps.setString(2, m.userId());
                    ps.setString(3, m.eventType());
                    ps.setString(4, m.projectId());
                    ps.setObject(5, H2Database.ts(m.timestamp()));
                    ps.setObject(6, H2Database.ts(m.ingestedAt()));
                    ps.setString(7, m.storagePath());
                    ps.setString(8, m.filePartition());
                    ps.setString(9, m.propertiesHash());
                    ps.setString(10, m.status());
                    ps.addBatch();
                }
                return ps.executeBatch();
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

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
