package dev.tally.api;

/** The request conflicts with state Tally already holds (HTTP 409). */
public class ConflictException extends TallyException {
    public ConflictException(String message) {
        super(message);
    }
}
