package dev.tally.http;

import dev.tally.api.BackendUnavailableException;
import dev.tally.api.ConflictException;
import dev.tally.api.InvalidQueryException;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.InvalidSchemaException;
import dev.tally.api.NotFoundException;
import dev.tally.api.OverloadedException;
import dev.tally.api.QueryTimeoutException;
import dev.tally.api.NotIdleException;
import dev.tally.api.NotSupportedException;
import dev.tally.api.SchemaConflictException;
import dev.tally.api.UnableToAppendException;
import dev.tally.api.Violation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Turns every failure into {@code {"error":{"code","message","details"}}} with the right status. Bad input
 * is never a 500: only failures nobody anticipated are, and those are logged with their stack trace.
 */
final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    /** The answer to one failure. {@code retryAfter} null = no Retry-After header. */
    record ApiError(int status, String code, String message, List<Map<String, Object>> details, Duration retryAfter) {
    }

    private final Duration retryAfter;
    private final long drainLimit;
    private final BooleanSupplier draining;

    ErrorResponses(Duration retryAfter, long maxBodyBytes, BooleanSupplier draining) {
        this.retryAfter = retryAfter;
        // an early answer (401, 413, ...) still reads what the client is sending, so that it can read the answer
        this.drainLimit = Math.max(maxBodyBytes * 2, 8L * 1024 * 1024);
        this.draining = draining;
    }

    /** The router's failure handler: {@code ctx.fail(...)} anywhere ends here. */
    void handleFailure(RoutingContext ctx) {
        send(ctx, classify(ctx.failure(), ctx.statusCode()));
    }

    ApiError classify(Throwable failure, int statusCode) {
        if (failure instanceof HttpFailure h) {
            return new ApiError(h.status(), h.code(), h.getMessage(), HttpJson.violations(h.details()), h.retryAfter());
        }
        if (failure instanceof SchemaConflictException s) {
            List<Map<String, Object>> changes = new ArrayList<>();
            for (String change : s.changes()) {
                int colon = change.indexOf(':');
                String path = colon > 0 ? change.substring(0, colon).trim() : "";
                changes.add(HttpJson.violation(new Violation(path, "incompatible_change", change)));
            }
            return new ApiError(409, "schema_conflict", s.getMessage(), changes, null);
        }
        if (failure instanceof ConflictException c) {
            return new ApiError(409, "conflict", c.getMessage(), List.of(), null);
        }
        if (failure instanceof InvalidRequestException r) {
            String code;
            if (r instanceof InvalidQueryException) {
                code = "invalid_query";
            } else if (r instanceof QueryTimeoutException) {
                code = "query_timeout";
            } else if (r instanceof InvalidSchemaException) {
                code = "invalid_schema";
            } else if (r.violations().size() == 1 && r.violations().get(0).code().equals("malformed_json")) {
                code = "malformed_json";
            } else {
                code = "invalid_request";
            }
            return new ApiError(400, code, r.getMessage(), HttpJson.violations(r.violations()), null);
        }
        if (failure instanceof NotSupportedException n) {
            return new ApiError(501, "not_supported", n.getMessage(), List.of(), null);
        }
        if (failure instanceof NotIdleException n) {
            return new ApiError(503, "busy", n.getMessage(), List.of(), retryAfter);
        }
        if (failure instanceof NotFoundException n) {
            return new ApiError(404, "not_found", n.getMessage(), List.of(), null);
        }
        if (failure instanceof UnableToAppendException || failure instanceof BackendUnavailableException) {
            LOG.warn("backend unavailable: {}", failure.toString());
            return new ApiError(503, "unavailable", failure.getMessage(), List.of(), retryAfter);
        }
        if (failure instanceof OverloadedException o) {
            return new ApiError(503, "overloaded", o.getMessage(), List.of(), o.retryAfter());
        }
        if (failure instanceof HttpException h && h.getStatusCode() >= 400 && h.getStatusCode() < 500) {
            return byStatus(h.getStatusCode());
        }
        if (failure instanceof RejectedExecutionException) {
            return classify(draining.getAsBoolean() ? HttpFailure.shuttingDown(retryAfter)
                    : HttpFailure.overloaded(retryAfter), 503);
        }
        if (failure != null && draining.getAsBoolean()) {
            // the engine is closing under this request: say so instead of reporting an internal error
            return classify(HttpFailure.shuttingDown(retryAfter), 503);
        }
        if (failure != null) {
            LOG.error("unexpected failure answering a request", failure);
            return new ApiError(500, "internal", "internal error", List.of(), null);
        }
        return byStatus(statusCode);
    }

    ApiError byStatus(int status) {
        return switch (status) {
            case 400 -> new ApiError(400, "bad_request", "the request could not be read", List.of(), null);
            case 401 -> new ApiError(401, "unauthorized", "missing or invalid API key", List.of(), null);
            case 403 -> new ApiError(403, "forbidden", "forbidden", List.of(), null);
            case 404 -> new ApiError(404, "not_found", "no such resource", List.of(), null);
            case 405 -> new ApiError(405, "method_not_allowed", "method not allowed on this resource", List.of(), null);
            case 413 -> new ApiError(413, "payload_too_large", "request body larger than the server accepts", List.of(),
                    null);
            case 414 -> new ApiError(414, "uri_too_long", "request URI too long", List.of(), null);
            case 415 -> new ApiError(415, "unsupported_media_type", "unsupported media type", List.of(), null);
            case 417 -> new ApiError(417, "expectation_failed", "only Expect: 100-continue is supported", List.of(),
                    null);
            case 431 -> new ApiError(431, "headers_too_large", "request headers too large", List.of(), null);
            case 503 -> new ApiError(503, "timeout", "the request took too long; retry later", List.of(), retryAfter);
            default -> status >= 400 && status < 600
                    ? new ApiError(status, status < 500 ? "bad_request" : "internal", "request failed", List.of(), null)
                    : new ApiError(500, "internal", "internal error", List.of(), null);
        };
    }

    void send(RoutingContext ctx, ApiError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", error.code());
        body.put("message", error.message());
        body.put("details", error.details());
        send(ctx, error, Map.of("error", body));
    }

    /** Sends an error answer whose body has more than the {@code error} object (e.g. a rejected event). */
    void send(RoutingContext ctx, ApiError error, Map<String, Object> body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (error.retryAfter() != null) {
            response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(error.retryAfter())));
        }
        if (error.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"tally\"");
        }
        if (error.status() == 405) {
            String allow = ctx.get(Routes.ALLOW_KEY);
            if (allow != null) {
                response.putHeader(HttpHeaders.ALLOW, allow);
            }
        }
        Buffer payload = Buffer.buffer(HttpJson.write(body));
        HttpServerRequest request = ctx.request();
        if (request.isEnded() || request.version() == HttpVersion.HTTP_2) {
            if (!request.isEnded()) {
                request.handler(b -> { }).resume();
            }
            response.end(payload);
            return;
        }
        // Answered before the body was read. With "Expect: 100-continue" the client will not send it: close so
        // that the next request is not mistaken for it. Otherwise read and drop what is coming (up to a cap)
        // before the connection is reused: closing with unread data would reset it under the client's feet.
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
            response.end(payload).onComplete(v -> request.connection().close());
            return;
        }
        long[] seen = {0};
        request.handler(b -> {
            seen[0] += b.length();
            if (seen[0] > drainLimit) {
                request.connection().close();
            }
        });
        request.exceptionHandler(t -> { });
        request.resume();
        response.end(payload);
    }

    static long retryAfterSeconds(Duration d) {
        long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
