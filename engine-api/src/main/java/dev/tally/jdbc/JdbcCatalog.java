package dev.tally.jdbc;

import dev.tally.api.Aggregation;
import dev.tally.api.ConflictException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.Role;
import dev.tally.api.SchemaVersion;
import dev.tally.spi.Catalog;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static dev.tally.jdbc.SqlValues.instant;
import static dev.tally.jdbc.SqlValues.ts;

/**
 * The catalog over JDBC (tables {@code projects}, {@code api_keys}, {@code event_schemas},
 * {@code metric_definitions}). Every write is one transaction; uniqueness comes from primary keys and unique
 * constraints, so a race between engines sharing the database surfaces as a {@link ConflictException}. Backends
 * subclass it only to name it ({@code H2Catalog}, {@code PostgresCatalog}). Thread-safe.
 */
public class JdbcCatalog implements Catalog {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final Upsert PROJECTS = new Upsert("projects",
            List.of("project_id", "strict_schemas", "created_at"), List.of("project_id"));

    private final SqlDatabase db;

    public JdbcCatalog(SqlDatabase db) {
        this.db = db;
    }

    @Override
    public boolean createProject(String projectId, Instant createdAt) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent(PROJECTS))) {
                ps.setString(1, projectId);
                ps.setBoolean(2, false);
                ps.setObject(3, ts(createdAt));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<ProjectRecord> project(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT strict_schemas, created_at FROM projects WHERE project_id = ?")) {
                ps.setString(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new ProjectRecord(projectId, rs.getBoolean(1), instant(rs, 2)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void setStrictSchemas(String projectId, boolean strict) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE projects SET strict_schemas = ? WHERE project_id = ?")) {
                ps.setBoolean(1, strict);
                ps.setString(2, projectId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void addApiKey(ApiKeyRecord key) {
        insertUnique(() -> "API key id '" + key.keyId() + "' is taken", "INSERT INTO api_keys(key_id, project_id, "
                + "role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)", ps -> {
            ps.setString(1, key.keyId());
            ps.setString(2, key.projectId());
            ps.setString(3, key.role().name());
            ps.setBytes(4, key.secretHash());
            ps.setObject(5, ts(key.createdAt()));
        });
    }

    @Override
    public Optional<ApiKeyRecord> apiKey(String keyId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT project_id, role, secret_hash, created_at FROM api_keys WHERE key_id = ?")) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new ApiKeyRecord(keyId, rs.getString(1), Role.valueOf(rs.getString(2)),
                            rs.getBytes(3), instant(rs, 4)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void addSchema(String projectId, SchemaVersion schema) {
        insertUnique(() -> "schema version " + schema.version() + " of '" + schema.eventType()
                        + "' was registered concurrently; retry",
                "INSERT INTO event_schemas(project_id, event_type, schema_version, schema_definition, created_at, "
                        + "updated_at) VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setString(1, projectId);
                    ps.setString(2, schema.eventType());
                    ps.setInt(3, schema.version());
                    ps.setString(4, schema.schema());
                    ps.setObject(5, ts(schema.createdAt()));
                    ps.setObject(6, ts(schema.createdAt()));
                });
    }

    @Override
    public List<SchemaVersion> schemas(String projectId, String eventType) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT schema_version, schema_definition, created_at "
                    + "FROM event_schemas WHERE project_id = ? AND event_type = ? ORDER BY schema_version")) {
                ps.setString(1, projectId);
                ps.setString(2, eventType);
                List<SchemaVersion> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SchemaVersion(eventType, rs.getInt(1), rs.getString(2), instant(rs, 3)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<String> schemaTypes(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT event_type FROM event_schemas WHERE project_id = ? ORDER BY event_type")) {
                ps.setString(1, projectId);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void addMetric(String projectId, MetricDefinition d) {
        insertUnique(() -> "metric '" + d.name() + "' already exists", "INSERT INTO metric_definitions(project_id, "
                + "name, event_type, aggregation, property, dimensions, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)", ps -> {
            ps.setString(1, projectId);
            ps.setString(2, d.name());
            ps.setString(3, d.eventType());
            ps.setString(4, d.aggregation().name());
            ps.setString(5, d.property());
            ps.setString(6, JSON.writeValueAsString(d.dimensions()));
        });
    }

    @Override
    public List<MetricDefinition> metrics(String projectId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, event_type, aggregation, property, dimensions "
                    + "FROM metric_definitions WHERE project_id = ? ORDER BY name")) {
                ps.setString(1, projectId);
                List<MetricDefinition> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(metric(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Map<String, List<MetricDefinition>> allMetrics() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, event_type, aggregation, property, dimensions, "
                    + "project_id FROM metric_definitions ORDER BY project_id, name")) {
                Map<String, List<MetricDefinition>> out = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(6), k -> new ArrayList<>()).add(metric(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * The version of the metric definitions: it grows with every definition added (definitions are never removed or
     * changed, so it is their number). A stream processor that has read the definitions at version {@code v} knows
     * every metric defined before an event appended while the version was {@code v}.
     */
    public long metricsVersion() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM metric_definitions");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static MetricDefinition metric(ResultSet rs) throws SQLException {
        return new MetricDefinition(rs.getString(1), rs.getString(2), Aggregation.valueOf(rs.getString(3)),
                rs.getString(4), JSON.readValue(rs.getString(5), STRINGS));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Inserts one row in its own transaction; a taken key is a {@link ConflictException} with {@code conflict}. */
    private void insertUnique(Supplier<String> conflict, String sql, Binder binder) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    return ps.executeUpdate();
                }
            });
        } catch (ConflictException e) {
            throw new ConflictException(conflict.get());
        }
    }
}
