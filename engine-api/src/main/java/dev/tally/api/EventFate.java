package dev.tally.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What became of an event id in a project: {@link ProjectOperations#event(String)} and
 * {@code GET /v1/events/{eventId}}. The answer reads the dedup index (accepted ids, for the dedup window), the
 * rejected-events listing (invalid and late events, bounded by {@code tally.rejected.keep}), the duplicate counts
 * (for the dedup window) and the archive's {@code events_metadata} (the stored event, once archived).
 *
 * <p>An id has one fate, decided in this order: {@link Late} (accepted, but its real-time window had closed;
 * the rollup counts it), {@link Duplicate} (accepted once, resent since), {@link Accepted}, {@link Rejected}
 * (never accepted; every attempt was invalid), else {@link Unknown}. Values are immutable.
 */
public sealed interface EventFate {

    String eventId();

    Status status();

    /** The event as stored (archived), when it is; empty until the archiver wrote it, or for a rejected event. */
    default Optional<Event> stored() {
        return Optional.empty();
    }

    enum Status { ACCEPTED, DUPLICATE, REJECTED, LATE, UNKNOWN }

    /** Durable in the event log and counted once. */
    record Accepted(String eventId, Optional<Event> stored) implements EventFate {
        @Override
        public Status status() {
            return Status.ACCEPTED;
        }
    }

    /**
     * Accepted once, counted once; {@code copies} later submissions of the same id were answered
     * {@code duplicate} and not counted.
     */
    record Duplicate(String eventId, long copies, Optional<Event> stored) implements EventFate {
        @Override
        public Status status() {
            return Status.DUPLICATE;
        }
    }

    /**
     * Never accepted: every submission was refused. {@code violations} are those of the latest attempt;
     * {@code attempts} is how many refusals are still listed.
     */
    record Rejected(String eventId, List<Violation> violations, Instant recordedAt, String payload, int attempts)
            implements EventFate {
        public Rejected {
            violations = List.copyOf(violations);
        }

        @Override
        public Status status() {
            return Status.REJECTED;
        }
    }

    /**
     * Accepted and archived, but too late for its real-time window: real-time queries miss it, the batch
     * rollup counts it. {@code violations} say why (the window and the watermark).
     */
    record Late(String eventId, List<Violation> violations, Instant recordedAt, Optional<Event> stored)
            implements EventFate {
        public Late {
            violations = List.copyOf(violations);
        }

        @Override
        public Status status() {
            return Status.LATE;
        }
    }

    /** Never seen, or seen longer ago than the dedup window and the rejected-events listing remember. */
    record Unknown(String eventId) implements EventFate {
        @Override
        public Status status() {
            return Status.UNKNOWN;
        }
    }
}
