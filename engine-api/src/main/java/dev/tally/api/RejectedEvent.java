package dev.tally.api;

import java.time.Instant;
import java.util.List;

/**
 * An event Tally refused or could not count in real time, kept so that nothing disappears without a trace.
 *
 * @param reason   {@code INVALID} (failed limits or schema) or {@code LATE} (its window had closed; the batch
 *                 rollup counts it)
 * @param payload  the event as received, truncated to a few kilobytes
 */
public record RejectedEvent(String projectId, String eventId, String eventType, Reason reason,
                            List<Violation> violations, Instant recordedAt, String payload) {
    public RejectedEvent {
        violations = List.copyOf(violations);
    }

    public enum Reason { INVALID, LATE }
}
