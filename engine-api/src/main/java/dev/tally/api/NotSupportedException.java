package dev.tally.api;

/**
 * The backend does not offer this operation (e.g. a backup of a backend whose stores are backed up with their
 * own tools); the message says what to use instead (HTTP 501).
 */
public class NotSupportedException extends TallyException {
    public NotSupportedException(String message) {
        super(message);
    }
}
