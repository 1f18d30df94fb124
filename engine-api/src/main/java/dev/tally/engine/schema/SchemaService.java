package dev.tally.engine.schema;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.tally.api.Event;
import dev.tally.api.InvalidSchemaException;
import dev.tally.api.Limits;
import dev.tally.api.SchemaConflictException;
import dev.tally.api.SchemaVersion;
import dev.tally.api.Violation;
import dev.tally.engine.Refreshing;
import dev.tally.engine.json.Json;
import dev.tally.spi.Catalog;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Registers versioned JSON Schemas for event properties and validates events against the latest version.
 * Compiled schemas are cached per (project, eventType) and reloaded from the catalog after a registration
 * here or after {@code reloadAfterNanos} (so other instances' registrations arrive). Thread-safe.
 */
public final class SchemaService {
    public static final int MAX_SCHEMA_BYTES = 256 * 1024;
    private static final int MAX_VIOLATIONS = 50;

    private final Catalog catalog;
    private final InstantSource clock;
    private final SchemaRegistry registry;
    private volatile Schema metaSchema; // loaded at the first registration: it costs ~150 ms of start-up
    private final Refreshing<String, Compiled> cache = new Refreshing<>("schemas", Duration.ofSeconds(10), 100_000);

    public SchemaService(Catalog catalog, InstantSource clock) {
        this.catalog = catalog;
        this.clock = clock;
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    }

    /** Registers a schema version; see {@link dev.tally.api.ProjectOperations#registerSchema}. */
    public synchronized SchemaVersion register(String projectId, String eventType, String schemaJson) {
        if (eventType == null || !Limits.EVENT_TYPE.matcher(eventType).matches()) {
            throw new InvalidSchemaException(List.of(new Violation("eventType", "invalid_format",
                    "eventType must match " + Limits.EVENT_TYPE.pattern())));
        }
        ObjectNode normalized = SchemaNormalizer.normalize(parse(schemaJson));
        checkCompiles(normalized);
        List<SchemaVersion> versions = catalog.schemas(projectId, eventType);
        SchemaVersion latest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
        if (latest != null) {
            JsonNode previous = Json.MAPPER.readTree(latest.schema());
            if (previous.equals(normalized)) {
                return latest;
            }
            List<String> changes = CompatibilityChecker.incompatibleChanges(previous, normalized);
            if (!changes.isEmpty()) {
                throw new SchemaConflictException(eventType, changes);
            }
        }
        SchemaVersion created = new SchemaVersion(eventType, latest == null ? 1 : latest.version() + 1,
                Json.MAPPER.writeValueAsString(normalized), clock.instant());
        catalog.addSchema(projectId, created);
        cache.invalidate(key(projectId, eventType));
        return created;
    }

    /** Violations of the latest schema, empty when valid or when the type has no schema. */
    public List<Violation> validate(String projectId, Event event) {
        Compiled compiled = compiled(projectId, event.eventType());
        if (compiled.schema == null) {
            return List.of();
        }
        ObjectNode properties = (ObjectNode) Json.toNode(event.properties());
        List<Error> errors = compiled.schema.validate(properties);
        if (errors.isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>(Math.min(errors.size(), MAX_VIOLATIONS));
        for (Error e : errors) {
            if (out.size() == MAX_VIOLATIONS) {
                break;
            }
            out.add(new Violation(path(e), e.getKeyword() == null ? "schema" : e.getKeyword(), message(e)));
        }
        return out;
    }

    public boolean hasSchema(String projectId, String eventType) {
        return compiled(projectId, eventType).schema != null;
    }

    private Compiled compiled(String projectId, String eventType) {
        return cache.get(key(projectId, eventType), k -> {
            List<SchemaVersion> versions = catalog.schemas(projectId, eventType);
            Schema schema = null;
            if (!versions.isEmpty()) {
                schema = registry.getSchema(Json.MAPPER.readTree(versions.get(versions.size() - 1).schema()));
                schema.initializeValidators();
            }
            return new Compiled(schema);
        });
    }

    public Optional<SchemaVersion> latest(String projectId, String eventType) {
        List<SchemaVersion> versions = catalog.schemas(projectId, eventType);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    private ObjectNode parse(String schemaJson) {
        if (schemaJson == null || schemaJson.isBlank()) {
            throw invalid("", "required", "schema body is empty");
        }
        if (schemaJson.length() > MAX_SCHEMA_BYTES) {
            throw invalid("", "too_large", "schema is larger than " + MAX_SCHEMA_BYTES + " characters");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(schemaJson);
        } catch (JacksonException e) {
            throw invalid("", "malformed_json", "schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode obj)) {
            throw invalid("", "type", "a schema must be a JSON object");
        }
        JsonNode type = obj.get("type");
        if (type != null && !(type.isString() && type.asString().equals("object"))) {
            throw invalid("type", "type", "the schema describes event properties, so its type must be \"object\"");
        }
        List<String> refs = new ArrayList<>();
        collectRemoteRefs(obj, "", refs);
        if (!refs.isEmpty()) {
            throw invalid(refs.get(0), "remote_ref", "only local references ($ref starting with '#') are allowed");
        }
        JsonNode dialect = obj.get("$schema");
        if (dialect != null && (!dialect.isString() || SpecificationVersion.fromDialectId(dialect.asString()).isEmpty())) {
            throw invalid("$schema", "unsupported", "unknown JSON Schema dialect " + dialect);
        }
        return obj;
    }

    private void checkCompiles(ObjectNode schema) {
        List<Error> errors = metaSchema().validate(schema);
        if (!errors.isEmpty()) {
            List<Violation> violations = new ArrayList<>();
            for (Error e : errors) {
                violations.add(new Violation(pointer(e.getInstanceLocation()), e.getKeyword() == null ? "schema"
                        : e.getKeyword(), e.getMessage()));
            }
            throw new InvalidSchemaException(violations);
        }
        try {
            registry.getSchema(schema).initializeValidators();
        } catch (RuntimeException e) {
            throw invalid("", "invalid_schema", "schema cannot be compiled: " + e.getMessage());
        }
    }

    private Schema metaSchema() {
        Schema m = metaSchema;
        if (m == null) {
            m = registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
            metaSchema = m;
        }
        return m;
    }

    private static void collectRemoteRefs(JsonNode node, String path, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if ((e.getKey().equals("$ref") || e.getKey().equals("$dynamicRef") || e.getKey().equals("$recursiveRef"))
                        && e.getValue().isString() && !e.getValue().asString().startsWith("#")) {
                    out.add(p);
                }
                collectRemoteRefs(e.getValue(), p, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRemoteRefs(node.get(i), path + "[" + i + "]", out);
            }
        }
    }

    /** Dotted path from the event root: {@code properties.amount}, {@code properties.items[2].sku}. */
    static String path(Error e) {
        StringBuilder sb = new StringBuilder("properties");
        NodePath location = e.getInstanceLocation();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer idx) {
                sb.append('[').append(idx).append(']');
            } else {
                sb.append('.').append(element);
            }
        }
        if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
            sb.append('.').append(e.getProperty());
        }
        return sb.toString();
    }

    private static String message(Error e) {
        String m = e.getMessage();
        // The validator prefixes messages with the instance location; the path is reported separately.
        int colon = m.indexOf(": ");
        if (m.startsWith("$") && colon > 0) {
            m = m.substring(colon + 2);
        }
        return m;
    }

    private static String pointer(NodePath location) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer idx) {
                sb.append('[').append(idx).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(element);
            }
        }
        return sb.toString();
    }

    private static InvalidSchemaException invalid(String path, String code, String message) {
        return new InvalidSchemaException(List.of(new Violation(path, code, message)));
    }

    private static String key(String projectId, String eventType) {
        return projectId + '\u0000' + eventType;
    }

    private record Compiled(Schema schema) {
    }
}
