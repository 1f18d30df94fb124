package dev.tally.http;

import dev.tally.api.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Keys and roles: 401 without a valid key, 403 for a weaker role, every route scoped to the key's project. */
class AuthTest {
    @TempDir
    static Path dir;
    static TestServer s;
    static TestServer.Keys keys;

    /** One call of the contract and the role it needs ({@code null}: the server admin key). */
    record Call(String method, String path, String body, Role needs) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Call> CALLS = List.of(
            new Call("POST", "/v1/events", "{\"eventId\":\"auth-1\",\"eventType\":\"x\"}", Role.INGEST),
            new Call("POST", "/v1/events/batch", "{\"events\":[]}", Role.INGEST),
            new Call("POST", "/v1/events/import", "{\"events\":[]}", Role.INGEST),
            new Call("GET", "/v1/events/rejected", null, Role.QUERY),
            new Call("GET", "/v1/metrics/event_count?startTime=2024-01-15&endTime=2024-01-16", null, Role.QUERY),
            new Call("GET", "/v1/metrics", null, Role.QUERY),
            new Call("POST", "/v1/query", "{\"sql\":\"select 1\"}", Role.QUERY),
            new Call("GET", "/v1/schemas/x", null, Role.QUERY),
            new Call("GET", "/v1/schemas/x/versions/1", null, Role.QUERY),
            new Call("POST", "/v1/metrics", "{\"name\":\"m\",\"aggregation\":\"count\"}", Role.ADMIN),
            new Call("POST", "/v1/rollups", "{\"day\":\"2024-01-15\"}", Role.ADMIN),
            new Call("POST", "/v1/schemas/x", "{\"type\":\"object\"}", Role.ADMIN),
            new Call("POST", "/v1/projects", "{\"projectId\":\"made-by-auth-test\"}", null));

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
        keys = s.project("auth");
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static Stream<Call> calls() {
        return CALLS.stream();
    }

    static Stream<Arguments> callsByRole() {
        List<Arguments> out = new ArrayList<>();
        for (Call c : CALLS) {
            for (Role r : Role.values()) {
                out.add(Arguments.of(c, r));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void noKey_or_malformedHeader_or_unknownKey_is401(Call c) {
        for (String header : new String[]{null, "Basic dXNlcjpwYXNz", "Bearer", "Bearer tly_0123456789abcdef_nope",
                "Bearer " + "x".repeat(500)}) {
            var request = java.net.http.HttpRequest.newBuilder(s.uri(c.path()))
                    .method(c.method(), c.body() == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(c.body()));
            if (header != null) {
                request.header("Authorization", header);
            }
            var r = s.send(request, null);
            assertThat(r.status()).as("%s with %s", c, header).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("unauthorized");
        }
    }

    @ParameterizedTest(name = "{0} with the {1} key")
    @MethodSource("callsByRole")
    void roleMatrix_weakerRoleIs403_permittedRolePassesAuth(Call c, Role role) {
        var r = s.send(c.method(), c.path(), keys.of(role), c.body());
        boolean permitted = c.needs() != null && role.permits(c.needs());
        if (permitted) {
            assertThat(r.status()).as("%s %s", c, r.body()).isNotIn(401, 403)
                    .satisfies(status -> assertThat(status).isLessThan(500));
        } else {
            assertThat(r.status()).as("%s %s", c, r.body()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("forbidden");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void serverAdminKey_onlyCreatesProjects(Call c) {
        var r = s.send(c.method(), c.path().replace("made-by-auth-test", "made-by-admin"), TestServer.ADMIN_KEY,
                c.body() == null ? null : c.body().replace("made-by-auth-test", "made-by-admin"));
        if (c.needs() == null) {
            assertThat(r.status()).isEqualTo(201);
        } else {
            assertThat(r.status()).isEqualTo(403);
        }
    }

    @Test
    void projectCreation_withoutConfiguredAdminKey_isRefused(@TempDir Path other) {
        try (TestServer noAdmin = TestServer.start(other, java.util.Map.of("tally.admin-key", ""))) {
            var k = noAdmin.project("only");
            assertThat(noAdmin.post("/v1/projects", k.admin(), "{\"projectId\":\"x\"}").status()).isEqualTo(403);
            assertThat(noAdmin.post("/v1/projects", "anything", "{\"projectId\":\"x\"}").status()).isEqualTo(401);
            assertThat(noAdmin.post("/v1/projects", "", "{\"projectId\":\"x\"}").status()).isEqualTo(401);
        }
    }

    @Test
    void keysOfOneProject_neverReadOrWriteAnother() {
        var a = s.project("iso-a");
        var b = s.project("iso-b");
        String evt = "{\"eventId\":\"same-id\",\"eventType\":\"a_only\",\"userId\":\"ua\",\"timestamp\":\"2024-01-15T09:00:00Z\"}";
        assertThat(s.post("/v1/events", a.ingest(), evt).status()).isEqualTo(202);
        // dedup is per project: B's event with the same id is B's own
        assertThat(s.post("/v1/events", b.ingest(), evt.replace("a_only", "b_only")).status()).isEqualTo(202);
        s.post("/v1/events", a.ingest(), "{\"eventId\":\"a-bad\",\"eventType\":\"a_only\",\"timestamp\":\"x\"}");
        assertThat(s.post("/v1/schemas/purchase", a.admin(), "{\"type\":\"object\"}").status()).isEqualTo(201);
        assertThat(s.post("/v1/metrics", a.admin(), "{\"name\":\"a_metric\",\"aggregation\":\"count\"}").status())
                .isEqualTo(201);
        s.tally.awaitIdle();

        String range = "?startTime=2024-01-15&endTime=2024-01-16&groupBy=eventType";
        var aCount = s.get("/v1/metrics/event_count" + range, a.query()).json().get("points");
        var bCount = s.get("/v1/metrics/event_count" + range, b.query()).json().get("points");
        assertThat(aCount.size()).isEqualTo(1);
        assertThat(aCount.get(0).get("dimensions").get("eventType").asString()).isEqualTo("a_only");
        assertThat(bCount.size()).isEqualTo(1);
        assertThat(bCount.get(0).get("dimensions").get("eventType").asString()).isEqualTo("b_only");

        assertThat(s.get("/v1/schemas/purchase", b.admin()).status()).isEqualTo(404);
        assertThat(s.get("/v1/metrics/a_metric?startTime=2024-01-15&endTime=2024-01-16", b.admin()).status())
                .isEqualTo(404);
        assertThat(s.get("/v1/events/rejected", b.query()).json().get("events").size()).isZero();
        assertThat(s.get("/v1/events/rejected", a.query()).json().get("events").size()).isEqualTo(1);
        // B's admin key defines B's metric of the same name without touching A's
        assertThat(s.post("/v1/metrics", b.admin(), "{\"name\":\"a_metric\",\"aggregation\":\"unique\"}").status())
                .isEqualTo(201);
        assertThat(s.post("/v1/metrics", a.admin(), "{\"name\":\"a_metric\",\"aggregation\":\"count\"}").status())
                .isEqualTo(200);
    }

    @Test
    void bodyProjectIdOfAnotherProject_is403AndNothingIsIngested() {
        var k = s.project("owner");
        var single = s.post("/v1/events", k.ingest(),
                "{\"eventId\":\"pid-1\",\"eventType\":\"x\",\"projectId\":\"someone-else\"}");
        assertThat(single.status()).isEqualTo(403);
        assertThat(single.errorCode()).isEqualTo("forbidden_project");
        assertThat(single.json().get("error").get("details").get(0).get("path").asString()).isEqualTo("projectId");

        var batch = s.post("/v1/events/batch", k.ingest(), "{\"events\":["
                + "{\"eventId\":\"pid-2\",\"eventType\":\"x\"},"
                + "{\"eventId\":\"pid-3\",\"eventType\":\"x\",\"projectId\":\"someone-else\"}]}");
        assertThat(batch.status()).isEqualTo(403);
        assertThat(batch.errorCode()).isEqualTo("forbidden_project");
        assertThat(batch.json().get("error").get("details").get(0).get("path").asString())
                .isEqualTo("events[1].projectId");

        // nothing of either request was ingested: the ids are still new
        assertThat(s.post("/v1/events", k.ingest(), "{\"eventId\":\"pid-1\",\"eventType\":\"x\"}").status()).isEqualTo(202);
        assertThat(s.post("/v1/events", k.ingest(), "{\"eventId\":\"pid-2\",\"eventType\":\"x\"}").status()).isEqualTo(202);
        // the key's own project in the body is fine
        assertThat(s.post("/v1/events", k.ingest(),
                "{\"eventId\":\"pid-4\",\"eventType\":\"x\",\"projectId\":\"owner\"}").status()).isEqualTo(202);
    }
}
