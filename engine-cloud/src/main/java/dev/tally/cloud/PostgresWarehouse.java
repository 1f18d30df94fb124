package dev.tally.cloud;

import dev.tally.api.RejectedEvent;
import dev.tally.jdbc.JdbcWarehouse;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The warehouse on PostgreSQL: the shared {@link JdbcWarehouse} over a {@link PostgresDatabase}, with bulk
 * writes ({@code events_metadata}, large aggregate upserts) streamed through {@code COPY}. Thread-safe.
 */
public final class PostgresWarehouse extends JdbcWarehouse {
    private final PostgresDatabase db;

    public PostgresWarehouse(PostgresDatabase db) {
        super(db);
        this.db = db;
    }

    /**
     * Records late events in the rejected listing, leaving out those already listed as late (by project and event
     * id): a stream processor that re-reads records after a restore lists each late event once. Callers that write
     * one project's late events from one place at a time (the Flink job: one writer per project) need no more.
     */
    public void recordLateOnce(List<RejectedEvent> late) {
        Map<String, List<RejectedEvent>> byProject = new LinkedHashMap<>();
        late.forEach(e -> byProject.computeIfAbsent(e.projectId(), p -> new ArrayList<>()).add(e));
        List<RejectedEvent> fresh = new ArrayList<>(late.size());
        for (Map.Entry<String, List<RejectedEvent>> e : byProject.entrySet()) {
            Set<String> listed = listedLate(e.getKey(), e.getValue().stream().map(RejectedEvent::eventId).toList());
            for (RejectedEvent r : e.getValue()) {
                if (listed.add(r.eventId())) {
                    fresh.add(r);
                }
            }
        }
        recordRejections(fresh);
    }

    private Set<String> listedLate(String projectId, List<String> eventIds) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT event_id FROM rejected_events WHERE project_id = ? "
                    + "AND reason = ? AND event_id = ANY (?)")) {
                Array ids = c.createArrayOf("varchar", eventIds.toArray());
                ps.setString(1, projectId);
                ps.setString(2, RejectedEvent.Reason.LATE.name());
                ps.setArray(3, ids);
                Set<String> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }
}
