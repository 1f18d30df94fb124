package dev.tally.api;

import java.util.List;

/** What happened to one submitted event. */
public sealed interface IngestResult {

    String eventId();

    Status status();

    enum Status { ACCEPTED, DUPLICATE, REJECTED }

    /** Durable in the event log; it will be aggregated and archived. */
    record Accepted(String eventId) implements IngestResult {
        @Override
        public Status status() {
            return Status.ACCEPTED;
        }
    }

    /** An event with this eventId was accepted within the dedup window; this copy is not counted. */
    record Duplicate(String eventId) implements IngestResult {
        @Override
        public Status status() {
            return Status.DUPLICATE;
        }
    }

    /** Refused, with every reason; the event is kept among the project's rejected events. */
    record Rejected(String eventId, List<Violation> violations) implements IngestResult {
        public Rejected {
            violations = List.copyOf(violations);
        }

        @Override
        public Status status() {
            return Status.REJECTED;
        }
    }
}
