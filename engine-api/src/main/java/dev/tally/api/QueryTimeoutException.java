package dev.tally.api;

import java.time.Duration;
import java.util.List;

/**
 * A query ran longer than the engine allows and was cancelled. It is the query's cost, not a passing fault:
 * the same query would time out again, so it is answered like bad input (HTTP 400, code {@code query_timeout})
 * rather than as a retryable overload.
 */
public class QueryTimeoutException extends InvalidRequestException {
    private final Duration timeout;

    public QueryTimeoutException(Duration timeout) {
        super(List.of(new Violation("sql", "timeout", "the query ran longer than " + text(timeout)
                + " and was cancelled; narrow its time range or simplify it")));
        this.timeout = timeout;
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** The limit the query exceeded. */
    public Duration timeout() {
        return timeout;
    }
}
