package dev.tally.http;

import dev.tally.api.Aggregation;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.Principal;
import dev.tally.api.Role;
import dev.tally.api.SqlQuery;
import dev.tally.api.Violation;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/metrics/{name}} (query), {@code POST /v1/metrics} (define; 201, 200 when the identical
 * definition exists, 409 when a different one does), {@code GET /v1/metrics} (the project's metrics);
 * {@code POST /v1/query} (ad-hoc SQL over the project's raw events, see {@link SqlRequest}).
 */
final class MetricRoutes {
    private static final Set<String> DEFINITION_FIELDS = Set.of("name", "eventType", "aggregation", "property", "dimensions");

    private MetricRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.GET, "/v1/metrics").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> list(s, ctx));
        r.add(HttpMethod.POST, "/v1/metrics").handler(r.guard(Role.ADMIN)).handler(r.body())
                .handler(ctx -> define(s, ctx));
        r.add(HttpMethod.GET, "/v1/metrics/:name").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> query(s, ctx));
        r.add(HttpMethod.POST, "/v1/query").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> sql(s, ctx));
    }

    private static void query(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        MetricQuery query = MetricQueryParams.parse(ctx.pathParam("name"), QueryParams.of(ctx, MetricQueryParams.NAMES));
        s.executor.run(ctx, () -> {
            long start = System.nanoTime();
            boolean ok = false;
            try {
                MetricResult result = s.project(p.projectId()).query(query);
                ok = true;
                return result;
            } finally {
                s.metrics.recordQuery(Duration.ofNanos(System.nanoTime() - start), ok);
            }
        }, result -> Routes.json(ctx, 200, view(result)));
    }

    private static void sql(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        SqlQuery query = SqlRequest.parse(HttpJson.readObject(Routes.bodyText(ctx)));
        s.executor.run(ctx, () -> s.project(p.projectId()).sql(query),
                result -> Routes.json(ctx, 200, SqlRequest.view(result)));
    }

    static Map<String, Object> view(MetricResult result) {
        List<Map<String, Object>> points = new ArrayList<>(result.points().size());
        for (MetricPoint point : result.points()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timestamp", HttpJson.instant(point.timestamp()));
            m.put("value", HttpJson.number(point.value()));
            m.put("dimensions", point.dimensions());
            points.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metric", result.metric());
        out.put("granularity", result.granularity().wireName());
        out.put("source", result.source());
        out.put("freshness", HttpJson.instant(result.freshness()));
        out.put("points", points);
        out.put("notes", result.notes());
        return out;
    }

    private static void define(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        MetricDefinition definition = definition(HttpJson.readObject(Routes.bodyText(ctx)));
        s.executor.run(ctx, () -> {
            boolean existed = s.project(p.projectId()).metrics().contains(definition);
            s.project(p.projectId()).defineMetric(definition);
            return existed;
        }, existed -> Routes.json(ctx, existed ? 200 : 201, view(definition)));
    }

    private static void list(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        QueryParams.of(ctx);
        s.executor.run(ctx, () -> s.project(p.projectId()).metrics(), metrics -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (MetricDefinition m : metrics) {
                out.add(view(m));
            }
            Routes.json(ctx, 200, Map.of("metrics", out));
        });
    }

    static Map<String, Object> view(MetricDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("eventType", d.eventType());
        m.put("aggregation", d.aggregation().wireName());
        m.put("property", d.property());
        m.put("dimensions", d.dimensions());
        return m;
    }

    /** {@code {"name","eventType","aggregation","property","dimensions"}}; every problem is named. */
    static MetricDefinition definition(JsonNode body) {
        List<Violation> problems = new ArrayList<>();
        HttpJson.unknownFields(body, DEFINITION_FIELDS, "name, eventType, aggregation, property, dimensions", problems);
        String name = text(body, "name", problems);
        String eventType = text(body, "eventType", problems);
        String aggregationName = text(body, "aggregation", problems);
        String property = text(body, "property", problems);
        Aggregation aggregation = null;
        if (aggregationName != null) {
            try {
                aggregation = Aggregation.parse(aggregationName);
            } catch (InvalidRequestException e) {
                problems.addAll(e.violations());
            }
        }
        List<String> dimensions = new ArrayList<>();
        JsonNode dims = body.get("dimensions");
        if (dims != null && !dims.isNull()) {
            if (!dims.isArray()) {
                problems.add(new Violation("dimensions", "type", "dimensions must be an array of strings"));
            } else {
                for (int i = 0; i < dims.size(); i++) {
                    if (dims.get(i).isString()) {
                        dimensions.add(dims.get(i).asString());
                    } else {
                        problems.add(new Violation("dimensions[" + i + "]", "type", "dimensions must be strings"));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        if (aggregation == null) {
            throw new InvalidRequestException("aggregation", "required",
                    "aggregation is required: count, sum, avg, min, max or unique");
        }
        return new MetricDefinition(name, eventType, aggregation, property, dimensions);
    }

    private static String text(JsonNode body, String field, List<Violation> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            problems.add(new Violation(field, "type", field + " must be a string"));
            return null;
        }
        return v.asString();
    }
}
