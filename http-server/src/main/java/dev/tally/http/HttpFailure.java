package dev.tally.http;

import dev.tally.api.TallyException;
import dev.tally.api.Violation;

import java.time.Duration;
import java.util.List;

/**
 * A refusal decided by the HTTP layer itself (auth, limits, overload), carrying the status and the
 * machine-readable code of the {@code {"error":{...}}} answer.
 */
final class HttpFailure extends TallyException {
    private final int status;
    private final String code;
    private final List<Violation> details;
    private final Duration retryAfter;

    HttpFailure(int status, String code, String message, List<Violation> details, Duration retryAfter) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
        this.retryAfter = retryAfter;
    }

    static HttpFailure unauthorized(String message) {
        return new HttpFailure(401, "unauthorized", message, List.of(), null);
    }

    static HttpFailure forbidden(String message) {
        return new HttpFailure(403, "forbidden", message, List.of(), null);
    }

    static HttpFailure rateLimited(String message, Duration retryAfter) {
        return new HttpFailure(429, "rate_limited", message, List.of(), retryAfter);
    }

    static HttpFailure overloaded(Duration retryAfter) {
        return new HttpFailure(503, "overloaded", "the server is busy; retry later", List.of(), retryAfter);
    }

    static HttpFailure shuttingDown(Duration retryAfter) {
        return new HttpFailure(503, "shutting_down", "the server is shutting down; retry on another instance or later",
                List.of(), retryAfter);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    List<Violation> details() {
        return details;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
