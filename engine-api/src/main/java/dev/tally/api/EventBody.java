package dev.tally.api;

import java.util.List;

/**
 * A request body read into events without ingesting them ({@link ProjectOperations#parseJson}), so a server
 * can check the request (rate, foreign project) before {@link ProjectOperations#ingestParsed} — one parse.
 *
 * @param events         the body's events in order, each readable or carrying its violations
 * @param bodyViolations non-empty when the body as a whole is unreadable (then {@code events} is empty)
 */
public record EventBody(List<ParsedEvent> events, List<Violation> bodyViolations) {
    public EventBody {
        events = List.copyOf(events);
        bodyViolations = List.copyOf(bodyViolations);
    }
}
