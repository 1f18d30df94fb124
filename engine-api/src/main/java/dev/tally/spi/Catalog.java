package dev.tally.spi;

import dev.tally.api.ConflictException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.Role;
import dev.tally.api.SchemaVersion;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strongly consistent metadata: projects, API keys (hashes only), versioned schemas, metric definitions.
 * Every write is a transaction; uniqueness is enforced by the store (a lost race is a {@link ConflictException}).
 * Thread-safe.
 */
public interface Catalog {

    /** Creates a project; {@code false} if it already exists. */
    boolean createProject(String projectId, Instant createdAt);

    Optional<ProjectRecord> project(String projectId);

    void setStrictSchemas(String projectId, boolean strict);

    void addApiKey(ApiKeyRecord key);

    Optional<ApiKeyRecord> apiKey(String keyId);

    /** Adds a schema version; a taken (project, eventType, version) is a {@link ConflictException}. */
    void addSchema(String projectId, SchemaVersion schema);

    /** All versions of an event type's schema, oldest first. */
    List<SchemaVersion> schemas(String projectId, String eventType);

    List<String> schemaTypes(String projectId);

    /** Adds a metric; a taken name is a {@link ConflictException}. */
    void addMetric(String projectId, MetricDefinition definition);

    List<MetricDefinition> metrics(String projectId);

    /** Every project's defined metrics, for the aggregator. */
    Map<String, List<MetricDefinition>> allMetrics();

    record ProjectRecord(String projectId, boolean strictSchemas, Instant createdAt) {
    }

    /** A key as stored: its public id and the SHA-256 of its secret part, never the secret itself. */
    record ApiKeyRecord(String keyId, String projectId, Role role, byte[] secretHash, Instant createdAt) {
    }
}
