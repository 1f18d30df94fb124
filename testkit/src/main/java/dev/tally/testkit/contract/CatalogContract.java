package dev.tally.testkit.contract;

import dev.tally.api.Aggregation;
import dev.tally.api.ConflictException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.Role;
import dev.tally.api.SchemaVersion;
import dev.tally.spi.Catalog;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of {@link Catalog}: the strongly consistent metadata of projects, API keys, schema versions and
 * metric definitions.
 *
 * <p>What it pins down: creating a project is idempotent and reports whether it created; a project's strict
 * flag can be switched both ways; API keys are found by id with their hash intact and a taken key id is a
 * {@link ConflictException} (the class contract: every uniqueness the store enforces surfaces as one); schema versions are listed
 * oldest first per (project, event type) and a taken version is a {@link ConflictException} that leaves the
 * stored one alone; metric definitions round-trip (including a missing event type, property and dimensions) and
 * a taken name is a {@link ConflictException} within a project but free in another; everything is scoped by
 * project and survives a clean reopen.
 *
 * <p>Timestamps are whole milliseconds (what {@link dev.tally.testkit.TestClock} yields), so stores with
 * microsecond precision round-trip them exactly.
 */
public abstract class CatalogContract extends BackendContract {
    private static final String PURCHASE_V1 = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\"}}}";
    private static final String PURCHASE_V2 =
            "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\"},\"currency\":{\"type\":\"string\"}}}";

    private Catalog catalog() {
        return backend.catalog();
    }

    private Instant now() {
        return clock.instant();
    }

    private static byte[] hash(int seed) {
        byte[] h = new byte[32];
        for (int i = 0; i < h.length; i++) {
            h[i] = (byte) (seed * 31 + i * 7);
        }
        return h;
    }

    private SchemaVersion schema(String eventType, int version, String schema) {
        return new SchemaVersion(eventType, version, schema, now().plus(Duration.ofMinutes(version)));
    }

    @Nested
    @DisplayName("projects")
    class Projects {
        @Test
        void creatingANewProjectReportsTrueAndStoresIt() {
            Instant created = now();
            assertThat(catalog().createProject("shop", created)).isTrue();
            assertThat(catalog().project("shop")).hasValue(new Catalog.ProjectRecord("shop", false, created));
        }

        @Test
        void creatingAnExistingProjectReportsFalseAndKeepsTheOriginal() {
            Instant created = now();
            catalog().createProject("shop", created);
            assertThat(catalog().createProject("shop", created.plus(Duration.ofDays(1)))).isFalse();
            assertThat(catalog().project("shop")).hasValueSatisfying(p -> assertThat(p.createdAt()).isEqualTo(created));
        }

        @Test
        void anUnknownProjectIsEmpty() {
            assertThat(catalog().project("nope")).isEmpty();
        }

        @Test
        void projectsAreIndependent() {
            catalog().createProject("a", now());
            assertThat(catalog().createProject("b", now())).isTrue();
            catalog().setStrictSchemas("a", true);
            assertThat(catalog().project("a")).hasValueSatisfying(p -> assertThat(p.strictSchemas()).isTrue());
            assertThat(catalog().project("b")).hasValueSatisfying(p -> assertThat(p.strictSchemas()).isFalse());
        }

        @Test
        void theStrictSchemasFlagSwitchesBothWays() {
            catalog().createProject("shop", now());
            catalog().setStrictSchemas("shop", true);
            assertThat(catalog().project("shop").orElseThrow().strictSchemas()).isTrue();
            catalog().setStrictSchemas("shop", true);
            assertThat(catalog().project("shop").orElseThrow().strictSchemas()).isTrue();
            catalog().setStrictSchemas("shop", false);
            assertThat(catalog().project("shop").orElseThrow().strictSchemas()).isFalse();
        }
    }

    @Nested
    @DisplayName("api keys")
    class ApiKeys {
        @Test
        void aKeyIsFoundByItsIdWithItsHashIntact() {
            catalog().createProject("shop", now());
            catalog().addApiKey(new Catalog.ApiKeyRecord("key-1", "shop", Role.INGEST, hash(1), now()));
            Catalog.ApiKeyRecord stored = catalog().apiKey("key-1").orElseThrow();
            assertThat(stored.keyId()).isEqualTo("key-1");
            assertThat(stored.projectId()).isEqualTo("shop");
            assertThat(stored.role()).isEqualTo(Role.INGEST);
            assertThat(stored.secretHash()).isEqualTo(hash(1));
            assertThat(stored.createdAt()).isEqualTo(now());
        }

        @Test
        void anUnknownKeyIdIsEmpty() {
            assertThat(catalog().apiKey("no-such-key")).isEmpty();
        }

        @Test
        void aTakenKeyIdIsAConflictAndKeepsTheStoredKey() {
            catalog().createProject("shop", now());
            catalog().addApiKey(new Catalog.ApiKeyRecord("key-1", "shop", Role.INGEST, hash(1), now()));
            assertThatThrownBy(() -> catalog().addApiKey(
                    new Catalog.ApiKeyRecord("key-1", "shop", Role.ADMIN, hash(2), now())))
                    .isInstanceOf(ConflictException.class);
            assertThat(catalog().apiKey("key-1").orElseThrow()).satisfies(k -> {
                assertThat(k.role()).isEqualTo(Role.INGEST);
                assertThat(k.secretHash()).isEqualTo(hash(1));
            });
        }

        @Test
        void eachKeyKeepsItsOwnProjectRoleAndHash() {
            catalog().createProject("a", now());
            catalog().createProject("b", now());
            catalog().addApiKey(new Catalog.ApiKeyRecord("k-ingest", "a", Role.INGEST, hash(1), now()));
            catalog().addApiKey(new Catalog.ApiKeyRecord("k-query", "a", Role.QUERY, hash(2), now()));
            catalog().addApiKey(new Catalog.ApiKeyRecord("k-admin", "b", Role.ADMIN, hash(3), now()));
            assertThat(catalog().apiKey("k-query").orElseThrow())
                    .satisfies(k -> {
                        assertThat(k.projectId()).isEqualTo("a");
                        assertThat(k.role()).isEqualTo(Role.QUERY);
                        assertThat(k.secretHash()).isEqualTo(hash(2));
                    });
            assertThat(catalog().apiKey("k-admin").orElseThrow())
                    .satisfies(k -> {
                        assertThat(k.projectId()).isEqualTo("b");
                        assertThat(k.role()).isEqualTo(Role.ADMIN);
                        assertThat(k.secretHash()).isEqualTo(hash(3));
                    });
        }
    }

    @Nested
    @DisplayName("schemas")
    class Schemas {
        @Test
        void versionsAreListedOldestFirst() {
            catalog().createProject("shop", now());
            catalog().addSchema("shop", schema("purchase", 1, PURCHASE_V1));
            catalog().addSchema("shop", schema("purchase", 2, PURCHASE_V2));
            catalog().addSchema("shop", schema("purchase", 3, PURCHASE_V1));
            assertThat(catalog().schemas("shop", "purchase")).containsExactly(
                    schema("purchase", 1, PURCHASE_V1), schema("purchase", 2, PURCHASE_V2),
                    schema("purchase", 3, PURCHASE_V1));
        }

        @Test
        void aTakenVersionIsAConflictAndKeepsTheStoredSchema() {
            catalog().createProject("shop", now());
            catalog().addSchema("shop", schema("purchase", 1, PURCHASE_V1));
            assertThatThrownBy(() -> catalog().addSchema("shop", schema("purchase", 1, PURCHASE_V2)))
                    .isInstanceOf(ConflictException.class);
            assertThat(catalog().schemas("shop", "purchase")).containsExactly(schema("purchase", 1, PURCHASE_V1));
        }

        @Test
        void theSameVersionNumberIsFreeForAnotherEventTypeOrProject() {
            catalog().createProject("a", now());
            catalog().createProject("b", now());
            catalog().addSchema("a", schema("purchase", 1, PURCHASE_V1));
            catalog().addSchema("a", schema("page_view", 1, PURCHASE_V2));
            catalog().addSchema("b", schema("purchase", 1, PURCHASE_V2));
            assertThat(catalog().schemas("a", "purchase")).containsExactly(schema("purchase", 1, PURCHASE_V1));
            assertThat(catalog().schemas("a", "page_view")).containsExactly(schema("page_view", 1, PURCHASE_V2));
            assertThat(catalog().schemas("b", "purchase")).containsExactly(schema("purchase", 1, PURCHASE_V2));
        }

        @Test
        void anEventTypeWithoutSchemasHasNoVersions() {
            catalog().createProject("shop", now());
            assertThat(catalog().schemas("shop", "purchase")).isEmpty();
            assertThat(catalog().schemaTypes("shop")).isEmpty();
        }

        @Test
        void schemaTypesListsEachEventTypeOnceForItsProjectOnly() {
            catalog().createProject("a", now());
            catalog().createProject("b", now());
            catalog().addSchema("a", schema("purchase", 1, PURCHASE_V1));
            catalog().addSchema("a", schema("purchase", 2, PURCHASE_V2));
            catalog().addSchema("a", schema("page_view", 1, PURCHASE_V1));
            catalog().addSchema("b", schema("signup", 1, PURCHASE_V1));
            assertThat(catalog().schemaTypes("a")).containsExactlyInAnyOrder("purchase", "page_view");
            assertThat(catalog().schemaTypes("b")).containsExactly("signup");
        }

        @Test
        void aLargeSchemaRoundTripsUnchanged() {
            StringBuilder sb = new StringBuilder("{\"type\":\"object\",\"properties\":{");
            for (int i = 0; i < 500; i++) {
                sb.append(i == 0 ? "" : ",").append("\"field_").append(i).append("\":{\"type\":\"string\",\"maxLength\":")
                        .append(i).append('}');
            }
            String big = sb.append("}}").toString();
            catalog().createProject("shop", now());
            catalog().addSchema("shop", schema("big", 1, big));
            assertThat(catalog().schemas("shop", "big")).singleElement()
                    .satisfies(s -> assertThat(s.schema()).isEqualTo(big));
        }
    }

    @Nested
    @DisplayName("metrics")
    class Metrics {
        private final MetricDefinition revenue =
                MetricDefinition.of("revenue", "purchase", Aggregation.SUM, "amount", "country", "device");
        private final MetricDefinition buyers = MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null);
        private final MetricDefinition everything = new MetricDefinition("everything", null, Aggregation.COUNT, null,
                List.of("eventType", "properties.plan"));

        @Test
        void addedMetricsAreListedForTheirProject() {
            catalog().createProject("shop", now());
            catalog().addMetric("shop", revenue);
            catalog().addMetric("shop", buyers);
            catalog().addMetric("shop", everything);
            assertThat(catalog().metrics("shop")).containsExactlyInAnyOrder(revenue, buyers, everything);
        }

        @Test
        void aProjectWithoutMetricsListsNone() {
            catalog().createProject("shop", now());
            assertThat(catalog().metrics("shop")).isEmpty();
            assertThat(catalog().metrics("unknown")).isEmpty();
        }

        @Test
        void aTakenNameIsAConflictAndKeepsTheStoredDefinition() {
            catalog().createProject("shop", now());
            catalog().addMetric("shop", revenue);
            MetricDefinition other = MetricDefinition.count("revenue", "refund");
            assertThatThrownBy(() -> catalog().addMetric("shop", other)).isInstanceOf(ConflictException.class);
            assertThat(catalog().metrics("shop")).containsExactly(revenue);
        }

        @Test
        void theSameNameIsFreeInAnotherProject() {
            catalog().createProject("a", now());
            catalog().createProject("b", now());
            MetricDefinition otherRevenue = MetricDefinition.sum("revenue", "order", "total");
            catalog().addMetric("a", revenue);
            catalog().addMetric("b", otherRevenue);
            assertThat(catalog().metrics("a")).containsExactly(revenue);
            assertThat(catalog().metrics("b")).containsExactly(otherRevenue);
        }

        @Test
        void allMetricsGroupsEveryProjectsDefinitions() {
            catalog().createProject("a", now());
            catalog().createProject("b", now());
            catalog().createProject("empty", now());
            catalog().addMetric("a", revenue);
            catalog().addMetric("a", buyers);
            catalog().addMetric("b", everything);
            Map<String, List<MetricDefinition>> all = catalog().allMetrics();
            assertThat(all).containsOnlyKeys("a", "b");
            assertThat(all.get("a")).containsExactlyInAnyOrder(revenue, buyers);
            assertThat(all.get("b")).containsExactly(everything);
        }

        @Test
        void allMetricsOfAnEmptyCatalogIsEmpty() {
            assertThat(catalog().allMetrics()).isEmpty();
        }
    }

    @Nested
    @DisplayName("durability across a reopen")
    class Durability {
        @Test
        void everythingSurvivesAReopen() {
            Instant created = now();
            catalog().createProject("shop", created);
            catalog().setStrictSchemas("shop", true);
            catalog().addApiKey(new Catalog.ApiKeyRecord("key-1", "shop", Role.ADMIN, hash(9), created));
            catalog().addSchema("shop", schema("purchase", 1, PURCHASE_V1));
            MetricDefinition revenue = MetricDefinition.sum("revenue", "purchase", "amount", "country");
            catalog().addMetric("shop", revenue);

            reopenBackend();

            assertThat(catalog().project("shop")).hasValue(new Catalog.ProjectRecord("shop", true, created));
            assertThat(catalog().apiKey("key-1").orElseThrow().secretHash()).isEqualTo(hash(9));
            assertThat(catalog().schemas("shop", "purchase")).containsExactly(schema("purchase", 1, PURCHASE_V1));
            assertThat(catalog().metrics("shop")).containsExactly(revenue);
            assertThat(catalog().createProject("shop", created)).isFalse();
            assertThatThrownBy(() -> catalog().addMetric("shop", revenue)).isInstanceOf(ConflictException.class);
        }
    }
}
