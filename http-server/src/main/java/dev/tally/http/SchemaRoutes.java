package dev.tally.http;

import dev.tally.api.InvalidRequestException;
import dev.tally.api.NotFoundException;
import dev.tally.api.Principal;
import dev.tally.api.Role;
import dev.tally.api.SchemaVersion;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /v1/schemas/{eventType}} (201 {"version":n}; 200 when identical to the latest; 409 with the
 * incompatible changes), {@code GET /v1/schemas/{eventType}} (latest), {@code .../versions} (list) and
 * {@code .../versions/{n}}, {@code GET /v1/schemas} (event types with a schema).
 */
final class SchemaRoutes {
    private SchemaRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.GET, "/v1/schemas").handler(r.guard(Role.QUERY)).handler(r.body()).handler(ctx -> {
            Principal p = Routes.principal(ctx);
            QueryParams.of(ctx);
            s.executor.run(ctx, () -> s.project(p.projectId()).schemaTypes(),
                    types -> Routes.json(ctx, 200, Map.of("eventTypes", types)));
        });
        r.add(HttpMethod.POST, "/v1/schemas/:eventType").handler(r.guard(Role.ADMIN)).handler(r.body())
                .handler(ctx -> register(s, ctx));
        r.add(HttpMethod.GET, "/v1/schemas/:eventType").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> {
                    Principal p = Routes.principal(ctx);
                    String type = ctx.pathParam("eventType");
                    QueryParams.of(ctx);
                    s.executor.run(ctx, () -> s.project(p.projectId()).schema(type),
                            found -> answer(ctx, "no schema registered for '" + type + "'", found));
                });
        r.add(HttpMethod.GET, "/v1/schemas/:eventType/versions").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> {
                    Principal p = Routes.principal(ctx);
                    String type = ctx.pathParam("eventType");
                    QueryParams.of(ctx);
                    s.executor.run(ctx, () -> s.project(p.projectId()).schemaVersions(type), versions -> {
                        if (versions.isEmpty()) {
                            ctx.fail(new NotFoundException("no schema registered for '" + type + "'"));
                            return;
                        }
                        List<Map<String, Object>> out = new ArrayList<>();
                        for (SchemaVersion v : versions) {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("version", v.version());
                            m.put("createdAt", HttpJson.instant(v.createdAt()));
                            out.add(m);
                        }
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("eventType", type);
                        body.put("versions", out);
                        Routes.json(ctx, 200, body);
                    });
                });
        r.add(HttpMethod.GET, "/v1/schemas/:eventType/versions/:version").handler(r.guard(Role.QUERY))
                .handler(r.body()).handler(ctx -> {
                    Principal p = Routes.principal(ctx);
                    String type = ctx.pathParam("eventType");
                    QueryParams.of(ctx);
                    int version = version(ctx.pathParam("version"));
                    s.executor.run(ctx, () -> s.project(p.projectId()).schema(type, version),
                            found -> answer(ctx, "schema of '" + type + "' has no version " + version, found));
                });
    }

    private static void register(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        String type = ctx.pathParam("eventType");
        String schema = Routes.bodyText(ctx);
        HttpJson.readObject(schema); // a clear 400 for a body that is not a JSON object
        s.executor.run(ctx, () -> {
            Optional<Integer> before = s.project(p.projectId()).schema(type).map(SchemaVersion::version);
            SchemaVersion created = s.project(p.projectId()).registerSchema(type, schema);
            return Map.entry(before.isPresent() && before.get() == created.version(), created);
        }, result -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("eventType", result.getValue().eventType());
            body.put("version", result.getValue().version());
            Routes.json(ctx, result.getKey() ? 200 : 201, body);
        });
    }

    private static void answer(RoutingContext ctx, String notFound, Optional<SchemaVersion> found) {
        if (found.isEmpty()) {
            ctx.fail(new NotFoundException(notFound));
            return;
        }
        SchemaVersion v = found.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventType", v.eventType());
        body.put("version", v.version());
        body.put("createdAt", HttpJson.instant(v.createdAt()));
        body.put("schema", HttpJson.MAPPER.readTree(v.schema()));
        Routes.json(ctx, 200, body);
    }

    private static int version(String raw) {
        try {
            int v = Integer.parseInt(raw);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new InvalidRequestException("version", "invalid_value",
                "version must be a positive integer, got '" + HttpJson.shorten(raw) + "'");
    }
}
