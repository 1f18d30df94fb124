package dev.tally.engine.schema;

import dev.tally.api.ConflictException;
import dev.tally.api.Event;
import dev.tally.api.InvalidSchemaException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.SchemaConflictException;
import dev.tally.api.SchemaVersion;
import dev.tally.api.Violation;
import dev.tally.engine.json.Json;
import dev.tally.spi.Catalog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SchemaServiceTest {
    private static final String P = "shop";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private static final String PURCHASE = """
            {"type":"object",
             "properties":{
               "amount":{"type":"number","required":true},
               "currency":{"type":"string","enum":["EUR","USD"],"required":true},
               "coupon":{"type":"string"}
             },
             "additionalProperties":false}
            """;

    private final MapCatalog catalog = new MapCatalog();
    private final SchemaService service = new SchemaService(catalog, InstantSource.fixed(NOW));

    private static Event purchase(Map<String, Object> properties) {
        return new Event("e-1", "purchase", "u-1", NOW, properties, null);
    }

    private static JsonNode tree(String json) {
        return Json.MAPPER.readTree(json);
    }

    // ---- normalization --------------------------------------------------------------------------------

    @Test
    void register_normalizesPerPropertyRequiredIntoTopLevelArray() {
        SchemaVersion v = service.register(P, "purchase", PURCHASE);

        JsonNode stored = tree(v.schema());
        assertThat(stored.get("required").isArray()).isTrue();
        assertThat(stored.get("required").valueStream().map(JsonNode::asString)).containsExactly("amount", "currency");
        assertThat(stored.at("/properties/amount").has("required")).isFalse();
        assertThat(stored.at("/properties/currency").has("required")).isFalse();
        assertThat(stored.at("/properties/coupon").has("required")).isFalse();
        assertThat(v.eventType()).isEqualTo("purchase");
        assertThat(v.version()).isEqualTo(1);
        assertThat(v.createdAt()).isEqualTo(NOW);
    }

    @Test
    void register_normalizesNestedObjectsAndArrayItemsAndKeepsExistingRequired() {
        String seed = """
                {"type":"object","required":["orderId"],
                 "properties":{
                   "orderId":{"type":"string"},
                   "shipping":{"type":"object","required":true,
                      "properties":{"city":{"type":"string","required":true},
                                    "zip":{"type":"string","required":false}}},
                   "items":{"type":"array",
                      "items":{"type":"object","properties":{"sku":{"type":"string","required":true}}}}
                 }}
                """;

        JsonNode stored = tree(service.register(P, "order", seed).schema());

        assertThat(stored.get("required").valueStream().map(JsonNode::asString))
                .containsExactly("orderId", "shipping");
        assertThat(stored.at("/properties/shipping/required").valueStream().map(JsonNode::asString))
                .containsExactly("city");
        assertThat(stored.at("/properties/shipping/properties/city").has("required")).isFalse();
        assertThat(stored.at("/properties/shipping/properties/zip").has("required")).isFalse();
        assertThat(stored.at("/properties/items/items/required").valueStream().map(JsonNode::asString))
                .containsExactly("sku");
    }

    @Test
    void register_standardSchemaIsStoredUnchanged() {
        String standard = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}";

        SchemaVersion v = service.register(P, "std", standard);

        assertThat(tree(v.schema())).isEqualTo(tree(standard));
    }

    // ---- validation -----------------------------------------------------------------------------------

    @Test
    void validate_validEventHasNoViolations() {
        service.register(P, "purchase", PURCHASE);

        assertThat(service.validate(P, purchase(Map.of("amount", 19.99, "currency", "EUR")))).isEmpty();
        assertThat(service.validate(P, purchase(Map.of("amount", 20L, "currency", "USD", "coupon", "X")))).isEmpty();
    }

    @Test
    void validate_missingRequiredPropertyIsNamed() {
        service.register(P, "purchase", PURCHASE);

        List<Violation> violations = service.validate(P, purchase(Map.of("currency", "EUR")));

        assertThat(violations).extracting(Violation::path, Violation::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("properties.amount", "required"));
        assertThat(violations.get(0).message()).contains("amount");
    }

    @Test
    void validate_wrongTypeAndEnumAreNamed() {
        service.register(P, "purchase", PURCHASE);

        List<Violation> violations = service.validate(P, purchase(Map.of("amount", "19.99", "currency", "GBP")));

        assertThat(violations).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("properties.amount", "type"),
                org.assertj.core.groups.Tuple.tuple("properties.currency", "enum"));
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).isNotBlank().doesNotStartWith("$"));
    }

    @Test
    void validate_additionalPropertyIsRefused() {
        service.register(P, "purchase", PURCHASE);

        List<Violation> violations = service.validate(P,
                purchase(Map.of("amount", 1L, "currency", "EUR", "extra", true)));

        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.code()).isEqualTo("additionalProperties");
            assertThat(v.path() + " " + v.message()).contains("extra");
        });
    }

    @Test
    void validate_nestedPathsUseDotsAndIndexes() {
        service.register(P, "order", """
                {"type":"object","properties":{
                  "items":{"type":"array","items":{"type":"object",
                     "properties":{"sku":{"type":"string","required":true},"qty":{"type":"integer"}}}}}}
                """);
        Event order = new Event("e", "order", null, NOW, Map.of("items", List.of(
                Map.of("sku", "A", "qty", 1L),
                Map.of("sku", "B", "qty", "two"),
                Map.of("qty", 3L))), null);

        List<Violation> violations = service.validate(P, order);

        assertThat(violations).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("properties.items[1].qty", "type"),
                org.assertj.core.groups.Tuple.tuple("properties.items[2].sku", "required"));
    }

    @Test
    void validate_typeWithoutSchemaIsAlwaysValid() {
        Event e = new Event("e", "unregistered", null, NOW, Map.of("anything", List.of(1L)), null);

        assertThat(service.validate(P, e)).isEmpty();
        assertThat(service.hasSchema(P, "unregistered")).isFalse();
    }

    @Test
    void validate_schemasAreSeparatedByProject() {
        service.register(P, "purchase", PURCHASE);

        assertThat(service.hasSchema(P, "purchase")).isTrue();
        assertThat(service.hasSchema("other", "purchase")).isFalse();
        assertThat(service.validate("other", purchase(Map.of()))).isEmpty();
    }

    @Test
    void validate_usesTheLatestVersionRightAfterRegistration() {
        service.register(P, "purchase", PURCHASE);
        Event withNote = purchase(Map.of("amount", 1L, "currency", "EUR", "note", "hi"));
        assertThat(service.validate(P, withNote)).isNotEmpty();

        service.register(P, "purchase", PURCHASE.replace("\"coupon\":{\"type\":\"string\"}",
                "\"coupon\":{\"type\":\"string\"},\"note\":{\"type\":\"string\"}"));

        assertThat(service.validate(P, withNote)).isEmpty();
    }

    // ---- versions and compatibility -------------------------------------------------------------------

    @Test
    void register_identicalSchemaReturnsTheSameVersion() {
        SchemaVersion first = service.register(P, "purchase", PURCHASE);

        SchemaVersion again = service.register(P, "purchase", PURCHASE);
        SchemaVersion reformatted = service.register(P, "purchase",
                PURCHASE.replace("\n", " ").replace("  ", " "));

        assertThat(again).isEqualTo(first);
        assertThat(reformatted).isEqualTo(first);
        assertThat(catalog.schemas(P, "purchase")).hasSize(1);
    }

    @Test
    void register_seedFormAndStandardFormOfTheSameSchemaAreIdentical() {
        SchemaVersion seed = service.register(P, "purchase", PURCHASE);

        SchemaVersion standard = service.register(P, "purchase", """
                {"type":"object",
                 "properties":{"amount":{"type":"number"},"currency":{"type":"string","enum":["EUR","USD"]},
                               "coupon":{"type":"string"}},
                 "additionalProperties":false,"required":["amount","currency"]}
                """);

        assertThat(standard.version()).isEqualTo(seed.version());
    }

    @Test
    void register_addingOptionalPropertyCreatesVersion2() {
        service.register(P, "purchase", PURCHASE);

        SchemaVersion v2 = service.register(P, "purchase", PURCHASE.replace("\"coupon\":{\"type\":\"string\"}",
                "\"coupon\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\"}"));

        assertThat(v2.version()).isEqualTo(2);
        assertThat(tree(v2.schema()).at("/properties/channel/type").asString()).isEqualTo("string");
        assertThat(service.latest(P, "purchase")).contains(v2);
        assertThat(catalog.schemas(P, "purchase")).extracting(SchemaVersion::version).containsExactly(1, 2);
    }

    @Test
    void register_changingOnlyTopLevelDocumentationIsCompatible() {
        service.register(P, "purchase", PURCHASE);

        SchemaVersion v2 = service.register(P, "purchase",
                PURCHASE.replace("{\"type\":\"object\",", "{\"type\":\"object\",\"title\":\"A purchase\","));

        assertThat(v2.version()).isEqualTo(2);
    }

    @Test
    void register_changingDocumentationOfAPropertyIsCompatible() {
        // CompatibilityChecker's contract: "it may only add optional properties (and change documentation keywords)"
        service.register(P, "purchase", PURCHASE);

        SchemaVersion v2 = service.register(P, "purchase", PURCHASE.replace(
                "\"coupon\":{\"type\":\"string\"}", "\"coupon\":{\"type\":\"string\",\"description\":\"promo code\"}"));

        assertThat(v2.version()).isEqualTo(2);
    }

    @Test
    void register_addingOptionalPropertyToANestedObjectIsCompatible() {
        String v1 = """
                {"type":"object","properties":{
                  "shipping":{"type":"object","properties":{"city":{"type":"string"}}}}}
                """;
        service.register(P, "order", v1);

        SchemaVersion v2 = service.register(P, "order", v1.replace("\"city\":{\"type\":\"string\"}",
                "\"city\":{\"type\":\"string\"},\"zip\":{\"type\":\"string\"}"));

        assertThat(v2.version()).isEqualTo(2);
    }

    @Test
    void register_removingPropertyIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace(",\n   \"coupon\":{\"type\":\"string\"}", "")));

        assertThat(e).isNotNull();
        assertThat(e.eventType()).isEqualTo("purchase");
        assertThat(e.changes()).singleElement().asString().contains("properties.coupon").contains("removed");
        assertThat(e).isInstanceOf(ConflictException.class).hasMessageContaining("properties.coupon");
        assertThat(catalog.schemas(P, "purchase")).hasSize(1);
    }

    @Test
    void register_changingTypeIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace("\"amount\":{\"type\":\"number\"",
                        "\"amount\":{\"type\":\"string\"")));

        assertThat(e).isNotNull();
        assertThat(e.changes()).singleElement().asString()
                .contains("properties.amount").contains("\"number\"").contains("\"string\"");
    }

    @Test
    void register_addingRequiredPropertyIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace("\"coupon\":{\"type\":\"string\"}",
                        "\"coupon\":{\"type\":\"string\"},\"store\":{\"type\":\"string\",\"required\":true}")));

        assertThat(e).isNotNull();
        assertThat(e.changes()).anySatisfy(c -> assertThat(c).contains("properties.store").contains("required"));
    }

    @Test
    void register_makingExistingPropertyRequiredIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace("\"coupon\":{\"type\":\"string\"}",
                        "\"coupon\":{\"type\":\"string\",\"required\":true}")));

        assertThat(e).isNotNull();
        assertThat(e.changes()).singleElement().asString().contains("properties.coupon").contains("required");
    }

    @Test
    void register_changingAdditionalPropertiesIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace("\"additionalProperties\":false",
                        "\"additionalProperties\":true")));

        assertThat(e).isNotNull();
        assertThat(e.changes()).singleElement().asString().contains("additionalProperties");
    }

    @Test
    void register_droppingAdditionalPropertiesIsRefused() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", PURCHASE.replace(",\n \"additionalProperties\":false", "")));

        assertThat(e).isNotNull();
        assertThat(e.changes()).singleElement().asString().contains("additionalProperties");
    }

    @Test
    void register_everyIncompatibleChangeIsNamed() {
        service.register(P, "purchase", PURCHASE);

        SchemaConflictException e = catchThrowableOfType(SchemaConflictException.class,
                () -> service.register(P, "purchase", """
                        {"type":"object","properties":{"amount":{"type":"string","required":true},
                                                       "currency":{"type":"string","enum":["EUR","USD"],"required":true},
                                                       "store":{"type":"string","required":true}}}
                        """));

        assertThat(e).isNotNull();
        assertThat(String.join("\n", e.changes()))
                .contains("properties.amount").contains("properties.coupon").contains("properties.store")
                .contains("additionalProperties");
    }

    @Test
    void register_schemasOfDifferentTypesAndProjectsVersionIndependently() {
        service.register(P, "purchase", PURCHASE);

        assertThat(service.register(P, "refund", PURCHASE).version()).isEqualTo(1);
        assertThat(service.register("other", "purchase", "{\"type\":\"object\"}").version()).isEqualTo(1);
    }

    // ---- invalid schemas ------------------------------------------------------------------------------

    private Violation invalid(String eventType, String schema) {
        InvalidSchemaException e = catchThrowableOfType(InvalidSchemaException.class,
                () -> service.register(P, eventType, schema));
        assertThat(e).as("InvalidSchemaException for %s", schema).isNotNull();
        assertThat(e.violations()).isNotEmpty();
        assertThat(catalog.schemas(P, eventType)).isEmpty();
        return e.violations().get(0);
    }

    @Test
    void register_malformedJsonIsInvalid() {
        Violation v = invalid("t", "{\"type\":\"object\",");

        assertThat(v.code()).isEqualTo("malformed_json");
        assertThat(v.path()).isEmpty();
    }

    @Test
    void register_emptyBodyIsInvalid() {
        assertThat(invalid("t", "  ").code()).isEqualTo("required");
        assertThat(invalid("t", null).code()).isEqualTo("required");
    }

    @Test
    void register_nonObjectSchemaIsInvalid() {
        assertThat(invalid("t", "[{\"type\":\"object\"}]").code()).isEqualTo("type");
        assertThat(invalid("t", "true").code()).isEqualTo("type");
        assertThat(invalid("t", "\"object\"").code()).isEqualTo("type");
    }

    @Test
    void register_topLevelTypeOtherThanObjectIsInvalid() {
        Violation v = invalid("t", "{\"type\":\"string\"}");

        assertThat(v.path()).isEqualTo("type");
        assertThat(v.code()).isEqualTo("type");
        assertThat(v.message()).contains("object");
        assertThat(invalid("t", "{\"type\":[\"object\",\"null\"]}").path()).isEqualTo("type");
    }

    @Test
    void register_remoteRefIsInvalidAndLocalRefIsFine() {
        Violation v = invalid("t", """
                {"type":"object","properties":{"customer":{"$ref":"https://example.com/customer.json"}}}
                """);

        assertThat(v.code()).isEqualTo("remote_ref");
        assertThat(v.path()).isEqualTo("properties.customer.$ref");

        SchemaVersion local = service.register(P, "local", """
                {"type":"object","$defs":{"money":{"type":"number","minimum":0}},
                 "properties":{"amount":{"$ref":"#/$defs/money"}}}
                """);
        assertThat(local.version()).isEqualTo(1);
        assertThat(service.validate(P, new Event("e", "local", null, NOW, Map.of("amount", -1L), null)))
                .extracting(Violation::path).containsExactly("properties.amount");
    }

    @Test
    void register_remoteRefInsideArrayIsInvalidWithIndexedPath() {
        Violation v = invalid("t", """
                {"type":"object","properties":{"x":{"anyOf":[{"type":"string"},{"$ref":"other.json"}]}}}
                """);

        assertThat(v.code()).isEqualTo("remote_ref");
        assertThat(v.path()).isEqualTo("properties.x.anyOf[1].$ref");
    }

    @Test
    void register_invalidKeywordValueIsInvalidWithPath() {
        InvalidSchemaException e = catchThrowableOfType(InvalidSchemaException.class,
                () -> service.register(P, "t", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":5}}}"));

        assertThat(e).isNotNull();
        assertThat(e.violations()).isNotEmpty()
                .allSatisfy(v -> assertThat(v.path()).startsWith("properties.a"))
                .anySatisfy(v -> assertThat(v.path()).isEqualTo("properties.a.type"));
    }

    @Test
    void register_invalidKeywordValuesElsewhereAreInvalid() {
        assertThat(invalid("t", "{\"type\":\"object\",\"required\":\"a\"}").path()).isEqualTo("required");
        assertThat(invalid("t", "{\"type\":\"object\",\"properties\":{\"n\":{\"minimum\":\"zero\"}}}").path())
                .isEqualTo("properties.n.minimum");
        assertThat(invalid("t", "{\"type\":\"object\",\"properties\":[]}").path()).isEqualTo("properties");
    }

    @Test
    void register_unknownDialectIsInvalid() {
        Violation v = invalid("t", "{\"$schema\":\"https://example.com/my-dialect\",\"type\":\"object\"}");

        assertThat(v.path()).isEqualTo("$schema");
    }

    @Test
    void register_invalidEventTypeIsRefused() {
        assertThatThrownBy(() -> service.register(P, "1bad", "{\"type\":\"object\"}"))
                .isInstanceOf(InvalidSchemaException.class)
                .satisfies(e -> assertThat(((InvalidSchemaException) e).violations())
                        .extracting(Violation::path).containsExactly("eventType"));
    }

    @Test
    void register_tooLargeSchemaIsInvalid() {
        String big = "{\"type\":\"object\",\"description\":\"" + "x".repeat(SchemaService.MAX_SCHEMA_BYTES) + "\"}";

        assertThat(invalid("t", big).code()).isEqualTo("too_large");
    }

    /** The smallest Catalog that holds schemas; the Catalog contract itself is tested in the testkit. */
    private static final class MapCatalog implements Catalog {
        private final Map<String, List<SchemaVersion>> schemas = new ConcurrentHashMap<>();

        @Override
        public synchronized void addSchema(String projectId, SchemaVersion schema) {
            List<SchemaVersion> versions = schemas.computeIfAbsent(projectId + '/' + schema.eventType(),
                    k -> new ArrayList<>());
            if (versions.stream().anyMatch(v -> v.version() == schema.version())) {
                throw new ConflictException("version " + schema.version() + " exists");
            }
            versions.add(schema);
        }

        @Override
        public synchronized List<SchemaVersion> schemas(String projectId, String eventType) {
            return List.copyOf(schemas.getOrDefault(projectId + '/' + eventType, List.of()));
        }

        @Override
        public boolean createProject(String projectId, Instant createdAt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ProjectRecord> project(String projectId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setStrictSchemas(String projectId, boolean strict) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addApiKey(ApiKeyRecord key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ApiKeyRecord> apiKey(String keyId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> schemaTypes(String projectId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addMetric(String projectId, MetricDefinition definition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<MetricDefinition> metrics(String projectId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, List<MetricDefinition>> allMetrics() {
            throw new UnsupportedOperationException();
        }
    }
}
