package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.Violation;

import java.util.List;

/**
 * One element of a request body: the event when it could be read, otherwise the violations (and whatever
 * eventId could be recovered). {@code raw} is the element's JSON, kept for the rejected-events listing.
 */
public record ParsedEvent(Event event, String eventId, List<Violation> violations, String raw) {
    public static ParsedEvent of(Event event) {
        return new ParsedEvent(event, event.eventId(), List.of(), null);
    }

    public boolean isValid() {
        return violations.isEmpty();
    }
}
