package dev.tally.api;

import java.util.List;

/**
 * A new schema version is not backward compatible with the latest one. {@link #changes()} names every
 * incompatible change, e.g. {@code properties.amount: type changed from "number" to "string"}.
 */
public class SchemaConflictException extends ConflictException {
    private final String eventType;
    private final List<String> changes;

    public SchemaConflictException(String eventType, List<String> changes) {
        super("schema for '" + eventType + "' is not backward compatible: " + String.join("; ", changes));
        this.eventType = eventType;
        this.changes = List.copyOf(changes);
    }

    public String eventType() {
        return eventType;
    }

    public List<String> changes() {
        return changes;
    }
}
