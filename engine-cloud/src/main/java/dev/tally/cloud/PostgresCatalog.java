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
final class PostgresCatalog implements Catalog {
    PostgresCatalog(PostgresDatabase db) {
    }

    @Override
    public boolean createProject(String projectId, Instant createdAt) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<Catalog.ProjectRecord> project(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void setStrictSchemas(String projectId, boolean strict) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void addApiKey(Catalog.ApiKeyRecord key) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<Catalog.ApiKeyRecord> apiKey(String keyId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void addSchema(String projectId, SchemaVersion schema) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<SchemaVersion> schemas(String projectId, String eventType) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<String> schemaTypes(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void addMetric(String projectId, MetricDefinition definition) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<MetricDefinition> metrics(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Map<String, List<MetricDefinition>> allMetrics() {
        throw new UnsupportedOperationException("not built yet");
    }
}
