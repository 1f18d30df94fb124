package dev.tally.api;

import java.util.List;

/**
 * One element of a request body as read by {@link ProjectOperations#parseJson}: the event when it could be
 * read, otherwise the violations (and whatever eventId could be recovered). {@code raw} is the element's
 * JSON, kept for the rejected-events listing. Ingesting it still applies every limit and the schema.
 */
public record ParsedEvent(Event event, String eventId, List<Violation> violations, String raw) {
    public static ParsedEvent of(Event event) {
        return new ParsedEvent(event, event.eventId(), List.of(), null);
    }

    public boolean isValid() {
        return violations.isEmpty();
    }
}
