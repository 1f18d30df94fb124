package dev.tally.api;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One element of a request body as read by {@link ProjectOperations#parseJson}: the event when it could be
 * read, otherwise the violations (and whatever eventId could be recovered). {@link #raw()} is the element's
 * JSON, kept for the rejected-events listing; a parser may supply it lazily, since only rejected events need it
 * (rendering every accepted event back to JSON was a sixth of an HTTP worker's time). Ingesting it still
 * applies every limit and the schema. Used by one thread at a time.
 */
public final class ParsedEvent {
    private final Event event;
    private final String eventId;
    private final List<Violation> violations;
    private Supplier<String> rawSource;
    private String raw;

    public ParsedEvent(Event event, String eventId, List<Violation> violations, String raw) {
        this(event, eventId, violations, (Supplier<String>) null);
        this.raw = raw;
    }

    private ParsedEvent(Event event, String eventId, List<Violation> violations, Supplier<String> rawSource) {
        this.event = event;
        this.eventId = eventId;
        this.violations = Objects.requireNonNull(violations, "violations");
        this.rawSource = rawSource;
    }

    public static ParsedEvent of(Event event) {
        return new ParsedEvent(event, event.eventId(), List.of(), (String) null);
    }

    /** An element whose JSON is rendered by {@code rawSource} the first time {@link #raw()} is asked. */
    public static ParsedEvent withLazyRaw(Event event, String eventId, List<Violation> violations,
                                          Supplier<String> rawSource) {
        return new ParsedEvent(event, eventId, violations, Objects.requireNonNull(rawSource, "rawSource"));
    }

    public Event event() {
        return event;
    }

    public String eventId() {
        return eventId;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The element's JSON as received (possibly shortened), or null when it came from the Java API. */
    public String raw() {
        if (rawSource != null) {
            raw = rawSource.get();
            rawSource = null;
        }
        return raw;
    }

    public boolean isValid() {
        return violations.isEmpty();
    }

    @Override
    public String toString() {
        return "ParsedEvent[eventId=" + eventId + ", valid=" + isValid() + ", violations=" + violations + "]";
    }
}
