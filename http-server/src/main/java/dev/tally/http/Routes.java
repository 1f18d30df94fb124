package dev.tally.http;

import dev.tally.api.Principal;
import dev.tally.api.Role;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the router: request timeout, access log and metrics for every request; then per route a name,
 * the key check (role, rate limit), the body limit and the handler; JSON answers for every failure,
 * unknown path (404) and wrong method (405, with {@code Allow}).
 */
final class Routes {
    static final String ALLOW_KEY = "tally.allow";
    static final String PRINCIPAL_KEY = "tally.principal";
    static final String ROUTE_KEY = "tally.route";
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.tally.http.access");

    final ServerState state;
    final Router router;
    private final List<Spec> specs = new ArrayList<>();
    private final ThreadLocal<RequestDeadlines> deadlines = new ThreadLocal<>();

    private record Spec(HttpMethod method, Pattern path) {
    }

    private Routes(Vertx vertx, ServerState state) {
        this.state = state;
        this.router = Router.router(vertx);
    }

    static Router build(Vertx vertx, ServerState state) {
        Routes r = new Routes(vertx, state);
        r.router.route().handler(r::observe);
        OpsRoutes.mount(r);
        EventRoutes.mount(r);
        MetricRoutes.mount(r);
        SchemaRoutes.mount(r);
        ProjectRoutes.mount(r);
        ArchiveRoutes.mount(r);
        AdminRoutes.mount(r);
        r.router.route().failureHandler(state.errors::handleFailure);
        // what the router answers itself: no route (404), wrong method (405), undecodable path or query (400), ...
        for (int status : new int[]{400, 404, 405, 413, 414, 415, 431, 500, 503}) {
            r.router.errorHandler(status, ctx -> {
                if (status == 405) {
                    ctx.put(ALLOW_KEY, r.allowed(ctx.normalizedPath()));
                }
                state.errors.send(ctx, ctx.failure() != null ? state.errors.classify(ctx.failure(), status)
                        : state.errors.byStatus(status));
            });
        }
        return r.router;
    }

    /** Declares a route; the first handler names it for the access log and the request metrics. */
    Route add(HttpMethod method, String path) {
        specs.add(new Spec(method, Pattern.compile(path.replaceAll(":[A-Za-z]+", "[^/]+"))));
        return router.route(method, path).handler(ctx -> {
            ctx.put(ROUTE_KEY, path);
            ctx.next();
        });
    }

    /** Reads the body (up to the configured limit; larger is 413). Put it after the key check. */
    Handler<RoutingContext> body() {
        return new BodyReader(state.settings.maxBodyBytes());
    }

    /**
     * Lets through keys whose role permits {@code required} (ADMIN permits everything) and that are within
     * their request rate; 401 without a valid key, 403 for a weaker role, 429 over the rate.
     */
    Handler<RoutingContext> guard(Role required) {
        return ctx -> {
            String key = Authenticator.bearer(ctx.request());
            if (key == null) {
                ctx.fail(HttpFailure.unauthorized("missing API key: send 'Authorization: Bearer <key>'"));
                return;
            }
            Optional<Principal> cached = state.auth.cached(key);
            if (cached.isPresent()) {
                admit(ctx, cached.get(), required);
                return;
            }
            if (state.auth.isServerAdminKey(key)) {
                ctx.fail(HttpFailure.forbidden("the server admin key only creates projects; use a project's key"));
                return;
            }
            ctx.request().pause(); // the body is read only once the key is known
            state.executor.run(ctx, () -> state.auth.verify(key), principal -> {
                if (principal.isEmpty()) {
                    ctx.fail(HttpFailure.unauthorized("invalid API key"));
                } else {
                    admit(ctx, principal.get(), required);
                }
            });
        };
    }

    /** Lets through only the server admin key ({@code tally.admin-key} / {@code TALLY_ADMIN_KEY}). */
    Handler<RoutingContext> serverAdminGuard() {
        return ctx -> {
            String key = Authenticator.bearer(ctx.request());
            if (key == null) {
                ctx.fail(HttpFailure.unauthorized("missing API key: send 'Authorization: Bearer <server admin key>'"));
                return;
            }
            if (state.auth.isServerAdminKey(key)) {
                Principal admin = state.auth.serverAdmin();
                state.limiter.acquireRequest(admin);
                ctx.put(PRINCIPAL_KEY, admin);
                ctx.next();
                return;
            }
            ctx.request().pause();
            state.executor.run(ctx, () -> state.auth.verify(key), principal -> ctx.fail(principal.isEmpty()
                    ? HttpFailure.unauthorized("invalid API key")
                    : HttpFailure.forbidden(ctx.request().method() + " " + ctx.get(ROUTE_KEY)
                    + " needs the server admin key, not a project key")));
        };
    }

    private void admit(RoutingContext ctx, Principal principal, Role required) {
        ctx.put(PRINCIPAL_KEY, principal);
        if (!principal.role().permits(required)) {
            ctx.fail(HttpFailure.forbidden("this key has the '" + principal.role().wireName() + "' role; "
                    + ctx.request().method() + " " + ctx.get(ROUTE_KEY) + " needs '" + required.wireName() + "'"));
            return;
        }
        state.limiter.acquireRequest(principal);
        ctx.next();
    }

    static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL_KEY);
    }

    static String bodyText(RoutingContext ctx) {
        return BodyReader.text(ctx);
    }

    static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(HttpJson.write(body)));
    }

    /**
     * Counts the request in flight, times it out (503 after {@code tally.http.request-timeout}), refuses new work
     * while draining, and logs and measures the answer.
     */
    private void observe(RoutingContext ctx) {
        long start = System.nanoTime();
        state.inflight.incrementAndGet();
        RequestDeadlines.Entry deadline = RequestDeadlines.ofCurrentLoop(ctx, state.settings.requestTimeout(), deadlines)
                .track(ctx);
        ctx.addEndHandler(v -> {
            deadline.done();
            state.inflight.decrementAndGet();
            long took = System.nanoTime() - start;
            int status = ctx.response().getStatusCode();
            String route = ctx.get(ROUTE_KEY, "unmatched");
            state.metrics.recordRequest(methodTag(ctx), route, status, took);
            if (ACCESS.isInfoEnabled()) {
                Principal p = principal(ctx);
                ACCESS.info("{} {} {} {} {}B {}ms key={}", remote(ctx), ctx.request().method(), ctx.request().path(),
                        status, ctx.response().bytesWritten(), took / 1_000_000,
                        p == null ? "-" : p.keyId());
            }
        });
        if (state.draining.get() && !ctx.request().path().equals("/health") && !ctx.request().path().equals("/metrics")) {
            ctx.fail(HttpFailure.shuttingDown(state.settings.retryAfter()));
            return;
        }
        ctx.next();
    }

    /** Methods are a client's choice: anything unusual is one tag, so that they cannot grow the meters. */
    private static String methodTag(RoutingContext ctx) {
        String m = ctx.request().method().name();
        return switch (m) {
            case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" -> m;
            default -> "OTHER";
        };
    }

    private static String remote(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress();
    }

    private String allowed(String path) {
        Set<String> methods = new LinkedHashSet<>();
        for (Spec s : specs) {
            if (path != null && s.path().matcher(path).matches()) {
                methods.add(s.method().name());
            }
        }
        return String.join(", ", methods);
    }
}
