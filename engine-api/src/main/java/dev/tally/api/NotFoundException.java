package dev.tally.api;

/** A named thing (project, metric, schema version) does not exist (HTTP 404). */
public class NotFoundException extends TallyException {
    public NotFoundException(String message) {
        super(message);
    }
}
