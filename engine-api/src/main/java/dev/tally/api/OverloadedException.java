package dev.tally.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Tally is running as many expensive operations (e.g. SQL queries) as it is configured to, and its wait queue is
 * full: nothing was done; retry after {@link #retryAfter()} (HTTP 503 with {@code Retry-After}).
 */
public class OverloadedException extends TallyException {
    private final Duration retryAfter;

    public OverloadedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** How long the caller should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
