package dev.tally.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route of the v1 contract: the success shapes and status codes (one server for the class). */
class RoutesTest {
    @TempDir
    static Path dir;
    static TestServer s;
    private static final AtomicInteger PROJECTS = new AtomicInteger();

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static TestServer.Keys newProject() {
        return s.project("p" + PROJECTS.incrementAndGet());
    }

    static String event(String id, String type, String user, String timestamp) {
        return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"userId\":\"" + user + "\""
                + (timestamp == null ? "" : ",\"timestamp\":\"" + timestamp + "\"")
                + ",\"properties\":{\"plan\":\"pro\",\"amount\":12.5},\"context\":{\"country\":\"FR\",\"device\":\"mobile\"}}";
    }

    @Nested
    @DisplayName("operations: /health, /ready, /metrics")
    class Operations {
        @Test
        void health_isUpWithoutKey() {
            var r = s.get("/health", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).isEqualTo("up");
        }

        @Test
        void ready_isReadyWhileServing() {
            var r = s.get("/ready", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).isEqualTo("ready");
            assertThat(r.json().get("aggregationLagMillis").asLong()).isGreaterThanOrEqualTo(0);
        }

        @Test
        void metrics_arePrometheusTextWithIngestQueryAndJvmMeters() {
            var k = newProject();
            s.post("/v1/events", k.ingest(), event("m1", "page_view", "u1", null));
            s.post("/v1/events", k.ingest(), "{\"eventId\":\"m2\"}");
            s.get("/v1/metrics/event_count?startTime=2024-01-15&endTime=2024-01-16", k.query());

            var r = s.get("/metrics", null);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
            assertThat(r.body())
                    .contains("tally_ingest_events_total{status=\"accepted\"}")
                    .contains("tally_ingest_events_total{status=\"rejected\"}")
                    .contains("tally_ingest_rejections_total{code=\"required\"}")
                    .contains("tally_query_latency_seconds_bucket")
                    .contains("tally_http_requests_seconds_count")
                    .contains("tally_aggregator_lag_seconds")
                    .contains("tally_aggregator_failing")
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_gc_")
                    .contains("tally_http_worker_queue");
        }
    }

    @Nested
    @DisplayName("POST /v1/projects")
    class Projects {
        @Test
        void create_withServerAdminKey_answers201WithOneKeyPerRole() {
            var r = s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":\"acme\"}");

            assertThat(r.status()).isEqualTo(201);
            JsonNode body = r.json();
            assertThat(body.get("projectId").asString()).isEqualTo("acme");
            for (String role : List.of("ingest", "query", "admin")) {
                assertThat(body.get("keys").get(role).asString()).startsWith("tly_");
            }
            String ingest = body.get("keys").get("ingest").asString();
            assertThat(s.post("/v1/events", ingest, event("a1", "signup", "u1", null)).status()).isEqualTo(202);
        }

        @Test
        void create_existingProject_is409() {
            s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":\"twice\"}");
            var r = s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":\"twice\"}");
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("conflict");
        }

        @Test
        void create_invalidProjectId_is400WithViolation() {
            var r = s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":\"Not Valid!\"}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_request");
            assertThat(r.json().get("error").get("details").get(0).get("path").asString()).isEqualTo("projectId");
        }

        @Test
        void create_missingOrWrongTypedField_is400() {
            assertThat(s.post("/v1/projects", TestServer.ADMIN_KEY, "{}").status()).isEqualTo(400);
            assertThat(s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":7}").status()).isEqualTo(400);
            assertThat(s.post("/v1/projects", TestServer.ADMIN_KEY, "{\"projectId\":\"x\",\"extra\":1}").status())
                    .isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("POST /v1/events")
    class SingleEvent {
        @Test
        void newEvent_is202Accepted() {
            var k = newProject();
            var r = s.post("/v1/events", k.ingest(), event("e1", "page_view", "u1", null));
            assertThat(r.status()).isEqualTo(202);
            assertThat(r.json().get("status").asString()).isEqualTo("accepted");
            assertThat(r.json().get("eventId").asString()).isEqualTo("e1");
        }

        @Test
        void sameEventIdAgain_is200Duplicate() {
            var k = newProject();
            s.post("/v1/events", k.ingest(), event("e1", "page_view", "u1", null));
            var r = s.post("/v1/events", k.ingest(), event("e1", "page_view", "u1", null));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).isEqualTo("duplicate");
            assertThat(r.json().get("eventId").asString()).isEqualTo("e1");
        }

        @Test
        void invalidEvent_is400RejectedWithEveryErrorAndTheErrorShape() {
            var k = newProject();
            var r = s.post("/v1/events", k.ingest(),
                    "{\"eventId\":\"bad1\",\"eventType\":\"x\",\"timestamp\":\"yesterday\",\"properties\":[1]}");
            assertThat(r.status()).isEqualTo(400);
            JsonNode body = r.json();
            assertThat(body.get("status").asString()).isEqualTo("rejected");
            assertThat(body.get("eventId").asString()).isEqualTo("bad1");
            List<String> paths = new ArrayList<>();
            body.get("errors").forEach(e -> {
                assertThat(e.get("code").asString()).isNotBlank();
                assertThat(e.get("message").asString()).isNotBlank();
                paths.add(e.get("path").asString());
            });
            assertThat(paths).contains("timestamp", "properties");
            assertThat(r.errorCode()).isEqualTo("rejected");
        }

        @Test
        void timestampTooFarAhead_isRejected() {
            var k = newProject();
            var r = s.post("/v1/events", k.ingest(), event("future", "x", "u", "2024-01-15T11:00:00Z"));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("path").asString()).isEqualTo("timestamp");
        }

        @Test
        void malformedJson_is400WithTheErrorShape() {
            var k = newProject();
            var r = s.post("/v1/events", k.ingest(), "{\"eventId\": ");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("malformed_json");
        }

        @Test
        void batchShapedBody_isRefusedAndNothingIngested() {
            var k = newProject();
            var r = s.post("/v1/events", k.ingest(), "{\"events\":[" + event("b1", "x", "u", null) + "]}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("code").asString()).isEqualTo("unexpected_batch");
            assertThat(s.post("/v1/events", k.ingest(), event("b1", "x", "u", null)).status()).isEqualTo(202);
        }
    }

    @Nested
    @DisplayName("POST /v1/events/batch")
    class Batch {
        @Test
        void batch_countsAcceptedDuplicatesAndListsRejectedByIndex() {
            var k = newProject();
            String body = "{\"events\":[" + event("x1", "page_view", "u1", null) + ","
                    + event("x2", "page_view", "u2", null) + ","
                    + event("x1", "page_view", "u1", null) + ","
                    + "{\"eventId\":\"x3\",\"eventType\":7}" + "]}";

            var r = s.post("/v1/events/batch", k.ingest(), body);

            assertThat(r.status()).isEqualTo(200);
            JsonNode json = r.json();
            assertThat(json.get("accepted").asLong()).isEqualTo(2);
            assertThat(json.get("duplicates").asLong()).isEqualTo(1);
            assertThat(json.get("rejected").size()).isEqualTo(1);
            JsonNode rejected = json.get("rejected").get(0);
            assertThat(rejected.get("index").asInt()).isEqualTo(3);
            assertThat(rejected.get("eventId").asString()).isEqualTo("x3");
            assertThat(rejected.get("errors").get(0).get("path").asString()).isEqualTo("eventType");
        }

        @Test
        void emptyBatch_isAllZeros() {
            var k = newProject();
            var r = s.post("/v1/events/batch", k.ingest(), "{\"events\":[]}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("accepted").asLong()).isZero();
            assertThat(r.json().get("rejected").size()).isZero();
        }

        @Test
        void bodyThatIsNotABatch_is400() {
            var k = newProject();
            var single = s.post("/v1/events/batch", k.ingest(), event("n1", "x", "u", null));
            assertThat(single.status()).isEqualTo(400);
            assertThat(single.errorCode()).isEqualTo("invalid_request");
            assertThat(s.post("/v1/events/batch", k.ingest(), "{\"events\":{}}").status()).isEqualTo(400);
            assertThat(s.post("/v1/events/batch", k.ingest(), "[1,2]").status()).isEqualTo(400);
        }

        @Test
        void moreEventsThanTheBatchLimit_is400() {
            var k = newProject();
            StringBuilder b = new StringBuilder("{\"events\":[");
            for (int i = 0; i <= s.tally.limits().maxBatchSize(); i++) {
                b.append(i == 0 ? "" : ",").append("{}");
            }
            var r = s.post("/v1/events/batch", k.ingest(), b.append("]}").toString());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("error").get("details").get(0).get("code").asString()).isEqualTo("too_many");
        }
    }

    @Nested
    @DisplayName("GET /v1/metrics/{name}")
    class Query {
        @Test
        void eventCount_groupedAndFiltered_overInstantRange() {
            var k = newProject();
            s.post("/v1/events/batch", k.ingest(), "{\"events\":["
                    + event("q1", "page_view", "u1", "2024-01-15T09:10:00Z") + ","
                    + event("q2", "page_view", "u2", "2024-01-15T09:20:00Z") + ","
                    + event("q3", "signup", "u1", "2024-01-15T09:59:00Z") + "]}");
            s.tally.awaitIdle();

            var r = s.get("/v1/metrics/event_count?startTime=2024-01-15T09:00:00Z&endTime=2024-01-15T10:00:00Z"
                    + "&granularity=1h&groupBy=eventType", k.query());

            assertThat(r.status()).isEqualTo(200);
            JsonNode body = r.json();
            assertThat(body.get("metric").asString()).isEqualTo("event_count");
            assertThat(body.get("granularity").asString()).isEqualTo("1h");
            assertThat(body.get("source").asString()).isNotBlank();
            assertThat(body.get("freshness").asString()).isNotBlank();
            List<String> points = new ArrayList<>();
            body.get("points").forEach(p -> points.add(p.get("timestamp").asString() + " "
                    + p.get("dimensions").get("eventType").asString() + "=" + p.get("value").asLong()));
            assertThat(points).containsExactlyInAnyOrder(
                    "2024-01-15T09:00:00Z page_view=2", "2024-01-15T09:00:00Z signup=1");

            var filtered = s.get("/v1/metrics/event_count?startTime=2024-01-15T09:00:00Z&endTime=2024-01-15T10:00:00Z"
                    + "&filter=eventType:signup", k.query());
            assertThat(filtered.status()).isEqualTo(200);
            assertThat(filtered.json().get("granularity").asString()).isEqualTo("all");
            assertThat(filtered.json().get("points").get(0).get("value").asLong()).isEqualTo(1);
        }

        @Test
        void uniqueUsers_byDay_withDatesAndTimezone() {
            var k = newProject();
            s.post("/v1/events/batch", k.ingest(), "{\"events\":["
                    + event("d1", "page_view", "u1", "2024-01-15T08:00:00Z") + ","
                    + event("d2", "page_view", "u2", "2024-01-15T09:00:00Z") + ","
                    + event("d3", "page_view", "u1", "2024-01-15T09:30:00Z") + "]}");
            s.tally.awaitIdle();

            var r = s.get("/v1/metrics/unique_users?startTime=2024-01-15&endTime=2024-01-15&granularity=1d"
                    + "&timezone=Europe/Paris", k.query());

            assertThat(r.status()).isEqualTo(200);
            JsonNode points = r.json().get("points");
            assertThat(points.size()).isEqualTo(1);
            assertThat(points.get(0).get("timestamp").asString()).isEqualTo("2024-01-14T23:00:00Z");
            assertThat(points.get(0).get("value").asLong()).isEqualTo(2);
            assertThat(points.get(0).get("dimensions").isObject()).isTrue();
        }

        @Test
        void rangeWithNoData_is200WithEmptyPoints() {
            var k = newProject();
            var r = s.get("/v1/metrics/event_count?startTime=2023-01-01&endTime=2023-01-02", k.query());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("points").size()).isZero();
        }

        @Test
        void missingTimes_is400NamingBoth() {
            var k = newProject();
            var r = s.get("/v1/metrics/event_count", k.query());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_request");
            List<String> paths = new ArrayList<>();
            r.json().get("error").get("details").forEach(d -> paths.add(d.get("path").asString()));
            assertThat(paths).containsExactlyInAnyOrder("startTime", "endTime");
        }

        @Test
        void badParameters_are400() {
            var k = newProject();
            String range = "startTime=2024-01-15&endTime=2024-01-16";
            for (String q : List.of("startTime=soon&endTime=2024-01-16", range + "&granularity=2w",
                    range + "&timezone=Mars/Olympus", range + "&filter=novalue", range + "&bogus=1",
                    range + "&groupBy=country", "startTime=2024-01-16&endTime=2024-01-15T00:00:00Z",
                    range + "&startTime=2024-01-14")) {
                var r = s.get("/v1/metrics/event_count?" + q, k.query());
                assertThat(r.status()).as(q).isEqualTo(400);
                r.errorCode();
            }
        }

        @Test
        void unknownMetric_is404() {
            var k = newProject();
            var r = s.get("/v1/metrics/nope?startTime=2024-01-15&endTime=2024-01-16", k.query());
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }
    }

    @Nested
    @DisplayName("POST /v1/metrics, GET /v1/metrics")
    class Metrics {
        @Test
        void define_is201ThenIdenticalIs200AndDifferentIs409() {
            var k = newProject();
            String def = "{\"name\":\"revenue\",\"eventType\":\"purchase\",\"aggregation\":\"sum\","
                    + "\"property\":\"amount\",\"dimensions\":[\"country\"]}";
            var created = s.post("/v1/metrics", k.admin(), def);
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.json().get("name").asString()).isEqualTo("revenue");
            assertThat(created.json().get("aggregation").asString()).isEqualTo("sum");

            assertThat(s.post("/v1/metrics", k.admin(), def).status()).isEqualTo(200);

            var conflict = s.post("/v1/metrics", k.admin(), def.replace("sum", "max"));
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.errorCode()).isEqualTo("conflict");

            var list = s.get("/v1/metrics", k.query());
            assertThat(list.status()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            list.json().get("metrics").forEach(m -> names.add(m.get("name").asString()));
            assertThat(names).contains("event_count", "unique_users", "revenue");
        }

        @Test
        void definedMetric_isQueryable() {
            var k = newProject();
            s.post("/v1/metrics", k.admin(), "{\"name\":\"revenue\",\"eventType\":\"purchase\",\"aggregation\":\"sum\","
                    + "\"property\":\"amount\",\"dimensions\":[\"country\"]}");
            s.post("/v1/events/batch", k.ingest(), "{\"events\":["
                    + event("r1", "purchase", "u1", "2024-01-15T09:10:00Z") + ","
                    + event("r2", "purchase", "u2", "2024-01-15T09:20:00Z") + "]}");
            s.tally.awaitIdle();

            var r = s.get("/v1/metrics/revenue?startTime=2024-01-15&endTime=2024-01-15&groupBy=country", k.query());

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("points").get(0).get("value").asDouble()).isEqualTo(25.0);
            assertThat(r.json().get("points").get(0).get("dimensions").get("country").asString()).isEqualTo("FR");
        }

        @Test
        void invalidDefinition_is400NamingEachProblem() {
            var k = newProject();
            var r = s.post("/v1/metrics", k.admin(), "{\"name\":\"Bad Name\",\"aggregation\":\"sum\",\"dimensions\":[\"nope\"]}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("error").get("details").size()).isGreaterThanOrEqualTo(3);
            assertThat(s.post("/v1/metrics", k.admin(), "{\"name\":\"m\",\"aggregation\":\"median\"}").status())
                    .isEqualTo(400);
            assertThat(s.post("/v1/metrics", k.admin(), "{\"name\":\"m\"}").status()).isEqualTo(400);
            assertThat(s.post("/v1/metrics", k.admin(), "{\"name\":1,\"aggregation\":\"count\",\"dimensions\":\"x\"}")
                    .status()).isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("schemas")
    class Schemas {
        static final String V1 = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\",\"required\":true}}}";
        static final String V2 = "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\",\"required\":true},"
                + "\"currency\":{\"type\":\"string\"}}}";

        @Test
        void register_is201WithVersion_andIdenticalIs200() {
            var k = newProject();
            var r = s.post("/v1/schemas/purchase", k.admin(), V1);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().get("version").asInt()).isEqualTo(1);
            var again = s.post("/v1/schemas/purchase", k.admin(), V1);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().get("version").asInt()).isEqualTo(1);
            var v2 = s.post("/v1/schemas/purchase", k.admin(), V2);
            assertThat(v2.status()).isEqualTo(201);
            assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        }

        @Test
        void incompatibleVersion_is409WithTheChanges() {
            var k = newProject();
            s.post("/v1/schemas/purchase", k.admin(), V1);
            var r = s.post("/v1/schemas/purchase", k.admin(), V1.replace("number", "string"));
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("schema_conflict");
            JsonNode change = r.json().get("error").get("details").get(0);
            assertThat(change.get("path").asString()).isEqualTo("properties.amount");
            assertThat(change.get("message").asString()).contains("type changed");
        }

        @Test
        void get_latestAndByVersion_and404s() {
            var k = newProject();
            s.post("/v1/schemas/purchase", k.admin(), V1);
            s.post("/v1/schemas/purchase", k.admin(), V2);

            var latest = s.get("/v1/schemas/purchase", k.query());
            assertThat(latest.status()).isEqualTo(200);
            assertThat(latest.json().get("version").asInt()).isEqualTo(2);
            assertThat(latest.json().get("schema").get("properties").has("currency")).isTrue();

            var v1 = s.get("/v1/schemas/purchase/versions/1", k.query());
            assertThat(v1.status()).isEqualTo(200);
            assertThat(v1.json().get("version").asInt()).isEqualTo(1);
            assertThat(v1.json().get("schema").get("required").get(0).asString()).isEqualTo("amount");

            var versions = s.get("/v1/schemas/purchase/versions", k.query());
            assertThat(versions.json().get("versions").size()).isEqualTo(2);
            assertThat(s.get("/v1/schemas", k.query()).json().get("eventTypes").get(0).asString()).isEqualTo("purchase");

            assertThat(s.get("/v1/schemas/purchase/versions/3", k.query()).status()).isEqualTo(404);
            assertThat(s.get("/v1/schemas/unknown", k.query()).status()).isEqualTo(404);
            assertThat(s.get("/v1/schemas/purchase/versions/first", k.query()).status()).isEqualTo(400);
        }

        @Test
        void registeredSchema_rejectsEventsThatBreakIt() {
            var k = newProject();
            s.post("/v1/schemas/purchase", k.admin(), V1);
            var r = s.post("/v1/events", k.ingest(),
                    "{\"eventId\":\"s1\",\"eventType\":\"purchase\",\"properties\":{\"amount\":\"ten\"}}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("errors").get(0).get("path").asString()).isEqualTo("properties.amount");
        }

        @Test
        void invalidSchema_is400() {
            var k = newProject();
            assertThat(s.post("/v1/schemas/purchase", k.admin(), "not json").status()).isEqualTo(400);
            var r = s.post("/v1/schemas/purchase", k.admin(), "{\"type\":\"no-such-type\"}");
            assertThat(r.status()).isEqualTo(400);
            r.errorCode();
            assertThat(s.post("/v1/schemas/bad%20type", k.admin(), V1).status()).isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("GET /v1/events/rejected")
    class Rejected {
        @Test
        void listsRecentRejectedEventsWithReasons() {
            var k = newProject();
            s.post("/v1/events", k.ingest(), "{\"eventId\":\"bad-1\",\"eventType\":\"x\",\"timestamp\":\"nope\"}");
            s.post("/v1/events", k.ingest(), "{\"eventId\":\"bad-2\",\"eventType\":\"x\",\"timestamp\":\"nope\"}");

            var r = s.get("/v1/events/rejected?limit=1", k.query());

            assertThat(r.status()).isEqualTo(200);
            JsonNode events = r.json().get("events");
            assertThat(events.size()).isEqualTo(1);
            JsonNode e = events.get(0);
            assertThat(e.get("eventId").asString()).isEqualTo("bad-2");
            assertThat(e.get("reason").asString()).isEqualTo("invalid");
            assertThat(e.get("errors").get(0).get("path").asString()).isEqualTo("timestamp");
            assertThat(e.get("payload").asString()).contains("bad-2");
            assertThat(s.get("/v1/events/rejected", k.query()).json().get("events").size()).isEqualTo(2);
        }

        @Test
        void schemaRejectedEventsKeepTheirPayloadAsSent_acceptedNeighboursAreNotListed() {
            var k = newProject();
            s.post("/v1/schemas/purchase", k.admin(), Schemas.V1);
            var r = s.post("/v1/events/batch", k.ingest(), """
                    {"events":[{"eventId":"ok-1","eventType":"purchase","properties":{"amount":3}},
                               {"eventId":"no-amount","eventType":"purchase","properties":{"note":"x"}}]}""");
            assertThat(r.json().get("accepted").asInt()).isEqualTo(1);

            JsonNode events = s.get("/v1/events/rejected", k.query()).json().get("events");

            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).get("eventId").asString()).isEqualTo("no-amount");
            assertThat(events.get(0).get("payload").asString())
                    .isEqualTo("{\"eventId\":\"no-amount\",\"eventType\":\"purchase\",\"properties\":{\"note\":\"x\"}}");
        }

        @Test
        void badLimit_is400() {
            var k = newProject();
            assertThat(s.get("/v1/events/rejected?limit=0", k.query()).status()).isEqualTo(400);
            assertThat(s.get("/v1/events/rejected?limit=ten", k.query()).status()).isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("GET /v1/events/{eventId}")
    class Fate {
        @Test
        void acceptedThenDuplicate_withTheStoredEventOnceArchived() {
            var k = newProject();
            assertThat(s.post("/v1/events", k.ingest(), event("f-1", "purchase", "u1", null)).status()).isEqualTo(202);
            s.tally.awaitIdle();
            var r = s.get("/v1/events/f-1", k.query());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).isEqualTo("accepted");
            JsonNode stored = r.json().get("event");
            assertThat(stored.get("eventType").asString()).isEqualTo("purchase");
            assertThat(stored.get("userId").asString()).isEqualTo("u1");
            assertThat(stored.get("properties").get("amount").asDouble()).isEqualTo(12.5);
            assertThat(stored.get("context").get("country").asString()).isEqualTo("FR");

            s.post("/v1/events", k.ingest(), event("f-1", "purchase", "u1", null));
            s.post("/v1/events", k.ingest(), event("f-1", "purchase", "u1", null));
            var dup = s.get("/v1/events/f-1", k.query());
            assertThat(dup.json().get("status").asString()).isEqualTo("duplicate");
            assertThat(dup.json().get("copies").asLong()).isEqualTo(2);
        }

        @Test
        void rejected_withItsErrors() {
            var k = newProject();
            s.post("/v1/events", k.ingest(), "{\"eventId\":\"f-bad\",\"eventType\":\"x\",\"timestamp\":\"nope\"}");
            var r = s.get("/v1/events/f-bad", k.query());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).isEqualTo("rejected");
            assertThat(r.json().get("errors").get(0).get("path").asString()).isEqualTo("timestamp");
            assertThat(r.json().has("event")).isFalse();
        }

        @Test
        void unknownId_is404WithTheErrorShape_andIdsAreProjectScoped() {
            var k = newProject();
            var other = newProject();
            s.post("/v1/events", k.ingest(), event("f-mine", "x", "u1", null));
            var r = s.get("/v1/events/f-mine", other.query());
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
            assertThat(s.get("/v1/events/never", k.query()).status()).isEqualTo(404);
        }

        @Test
        void needsAQueryKey_andAnOverlongIdIs400() {
            var k = newProject();
            assertThat(s.get("/v1/events/f-1", k.ingest()).status()).isEqualTo(403);
            assertThat(s.get("/v1/events/f-1", null).status()).isEqualTo(401);
            assertThat(s.get("/v1/events/f-1", k.admin()).status()).isNotEqualTo(403);
            var r = s.get("/v1/events/" + "x".repeat(300), k.query());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorCode()).isNotBlank();
        }
    }

    @Nested
    @DisplayName("POST /v1/events/import and /v1/rollups")
    class Backfill {
        @Test
        void importedHistoryIsRolledUpAndQueryableFromTheWarehouse() {
            var k = newProject();
            var imp = s.post("/v1/events/import", k.ingest(), """
                    {"events":[
                      {"eventId":"old-1","eventType":"purchase","userId":"u1","timestamp":"2023-06-01T10:15:00Z"},
                      {"eventId":"old-2","eventType":"purchase","userId":"u2","timestamp":"2023-06-01T22:45:00Z"},
                      {"eventId":"old-3","eventType":"purchase","userId":"u2"}]}""");
            assertThat(imp.status()).isEqualTo(200);
            assertThat(imp.json().get("accepted").asInt()).isEqualTo(2);
            assertThat(imp.json().get("rejected").get(0).get("errors").get(0).get("path").asString())
                    .isEqualTo("timestamp");
            s.tally.awaitIdle();
            var day = s.get("/v1/metrics/event_count?startTime=2023-06-01T00:00:00Z&endTime=2023-06-02T00:00:00Z"
                    + "&granularity=1d", k.query());
            assertThat(day.status()).isEqualTo(200);
            assertThat(day.json().get("source").asString()).isEqualTo("warehouse");
            assertThat(day.json().get("points").get(0).get("value").asDouble()).isEqualTo(2.0);

            var rollup = s.post("/v1/rollups", k.admin(), "{\"day\":\"2023-06-01\"}");
            assertThat(rollup.status()).isEqualTo(200);
            assertThat(rollup.json().get("events").asLong()).isEqualTo(2);
        }

        @Test
        void rollupNeedsAnAdminKeyAndAValidDay() {
            var k = newProject();
            assertThat(s.post("/v1/rollups", k.query(), "{\"day\":\"2023-06-01\"}").status()).isEqualTo(403);
            for (String body : List.of("{}", "{\"day\":\"June\"}", "{\"day\":5}", "{\"day\":\"2023-06-01\",\"x\":1}",
                    "[]", "{\"day\":\"0001-01-01\"}")) {
                var r = s.post("/v1/rollups", k.admin(), body);
                assertThat(r.status()).as(body).isEqualTo(400);
                assertThat(r.errorCode()).as(body).isNotBlank();
            }
        }
    }

    @Nested
    @DisplayName("SQL, unknown routes, wrong methods")
    class Others {
        @Test
        void sql_answersRowsAndRefusesWritesWith400() {
            var k = newProject();
            var sql = s.post("/v1/query", k.query(), "{\"sql\":\"select 1 AS one\"}");
            assertThat(sql.status()).isEqualTo(200);
            assertThat(sql.json().path("rows").toString()).isEqualTo("[[1]]");
            var write = s.post("/v1/query", k.query(), "{\"sql\":\"drop view events\"}");
            assertThat(write.status()).isEqualTo(400);
            assertThat(write.errorCode()).isEqualTo("invalid_query");
        }

        @Test
        void unknownRoute_is404() {
            var r = s.get("/v2/nothing", null);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("not_found");
        }

        @Test
        void wrongMethod_is405WithAllow() {
            var r = s.send("DELETE", "/v1/events", null, null);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.errorCode()).isEqualTo("method_not_allowed");
            assertThat(r.allow()).hasValue("POST");
            var metrics = s.send("PUT", "/v1/metrics", null, "{}");
            assertThat(metrics.status()).isEqualTo(405);
            assertThat(metrics.allow()).hasValueSatisfying(a -> assertThat(a).contains("GET", "POST"));
        }
    }
}
