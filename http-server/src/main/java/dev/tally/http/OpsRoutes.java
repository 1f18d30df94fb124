package dev.tally.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

import dev.tally.api.EngineHealth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health} (the process answers), {@code GET /ready} (accepting work, and aggregation at most
 * {@code tally.http.ready.max-lag} behind), {@code GET /metrics} (Prometheus).
 */
final class OpsRoutes {
    private OpsRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.GET, "/health").handler(ctx -> Routes.json(ctx, 200, Map.of("status", "up")));
        r.add(HttpMethod.GET, "/ready").handler(ctx -> {
            if (s.draining.get()) {
                ctx.fail(HttpFailure.shuttingDown(s.settings.retryAfter()));
                return;
            }
            EngineHealth health = s.tally.health();
            Duration maxLag = s.settings.readyMaxLag();
            if (!health.aggregating() || health.lag().compareTo(maxLag) > 0) {
                String why = !health.aggregating() ? "the aggregator is not running"
                        : "aggregation is " + health.lag().toSeconds() + " s behind ingestion (limit " + maxLag.toSeconds() + " s)";
                ctx.fail(new HttpFailure(503, "not_ready", why, List.of(), s.settings.retryAfter()));
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ready");
            body.put("aggregationLagMillis", health.lag().toMillis());
            body.put("lastFlush", health.lastFlush() == null ? null : health.lastFlush().toString());
            body.put("aggregatorFailure", health.lastFailure());
            Routes.json(ctx, 200, body);
        });
        r.add(HttpMethod.GET, "/metrics").handler(ctx -> ctx.vertx()
                .executeBlocking(s.metrics::scrape, false)
                .onSuccess(text -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(text))
                .onFailure(ctx::fail));
    }
}
