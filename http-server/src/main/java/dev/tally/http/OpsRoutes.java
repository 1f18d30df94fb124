package dev.tally.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

import java.util.Map;

/** {@code GET /health} (the process answers), {@code GET /ready} (accepting work), {@code GET /metrics} (Prometheus). */
final class OpsRoutes {
    private OpsRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.GET, "/health").handler(ctx -> Routes.json(ctx, 200, Map.of("status", "up")));
        r.add(HttpMethod.GET, "/ready").handler(ctx -> {
            if (s.draining.get()) {
                ctx.fail(HttpFailure.shuttingDown(s.settings.retryAfter()));
            } else {
                Routes.json(ctx, 200, Map.of("status", "ready"));
            }
        });
        r.add(HttpMethod.GET, "/metrics").handler(ctx -> ctx.vertx()
                .executeBlocking(s.metrics::scrape, false)
                .onSuccess(text -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(text))
                .onFailure(ctx::fail));
    }
}
