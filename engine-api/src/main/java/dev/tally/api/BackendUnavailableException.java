package dev.tally.api;

/** A backend the operation needs is down or overloaded; retry later (HTTP 503). */
public class BackendUnavailableException extends TallyException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
