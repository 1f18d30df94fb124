package dev.tally.api;

/** {@code awaitIdle} timed out: accepted events were not all aggregated in time (the message says why). */
public class NotIdleException extends TallyException {
    public NotIdleException(String message) {
        super(message);
    }
}
