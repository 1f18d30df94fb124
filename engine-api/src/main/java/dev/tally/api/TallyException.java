package dev.tally.api;

/**
 * Root of every exception Tally throws. Unchecked: callers catch the subclass they can act on.
 */
public class TallyException extends RuntimeException {
    public TallyException(String message) {
        super(message);
    }

    public TallyException(String message, Throwable cause) {
        super(message, cause);
    }
}
