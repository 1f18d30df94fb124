package dev.tally.testkit;

import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import org.assertj.core.api.AbstractAssert;

import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Assertions on one {@link RejectedEvent}; failures list the event's id, type, reason and every violation.
 * Not thread-safe.
 */
public final class RejectedEventAssert extends AbstractAssert<RejectedEventAssert, RejectedEvent> {

    RejectedEventAssert(RejectedEvent actual) {
        super(actual, RejectedEventAssert.class);
    }

    /** Has a violation at {@code path} (e.g. {@code properties.amount}) with {@code code} (e.g. {@code required}). */
    public RejectedEventAssert hasViolation(String path, String code) {
        isNotNull();
        if (actual.violations().stream().noneMatch(v -> v.path().equals(path) && v.code().equals(code))) {
            failWithMessage("%nExpecting rejected event%n  %s%nto have a violation at <%s> with code <%s>, but its"
                    + " violations are:%n%s", describe(), path, code, violations());
        }
        return this;
    }

    /** Has a violation at {@code path}, whatever its code. */
    public RejectedEventAssert hasViolationAt(String path) {
        isNotNull();
        if (actual.violations().stream().noneMatch(v -> v.path().equals(path))) {
            failWithMessage("%nExpecting rejected event%n  %s%nto have a violation at <%s>, but its violations are:%n%s",
                    describe(), path, violations());
        }
        return this;
    }

    public RejectedEventAssert hasReason(RejectedEvent.Reason reason) {
        isNotNull();
        if (actual.reason() != reason) {
            failWithMessage("%nExpecting rejected event%n  %s%nto have reason <%s> but was <%s>; violations:%n%s",
                    describe(), reason, actual.reason(), violations());
        }
        return this;
    }

    /** Refused at ingest (limits or schema). */
    public RejectedEventAssert isInvalid() {
        return hasReason(RejectedEvent.Reason.INVALID);
    }

    /** Accepted, but too late for its real-time window (the batch rollup still counts it). */
    public RejectedEventAssert isLate() {
        return hasReason(RejectedEvent.Reason.LATE);
    }

    public RejectedEventAssert hasEventId(String eventId) {
        isNotNull();
        if (!Objects.equals(actual.eventId(), eventId)) {
            failWithMessage("%nExpecting rejected event%n  %s%nto have eventId <%s> but was <%s>", describe(), eventId,
                    actual.eventId());
        }
        return this;
    }

    public RejectedEventAssert hasEventType(String eventType) {
        isNotNull();
        if (!Objects.equals(actual.eventType(), eventType)) {
            failWithMessage("%nExpecting rejected event%n  %s%nto have eventType <%s> but was <%s>", describe(),
                    eventType, actual.eventType());
        }
        return this;
    }

    private String describe() {
        return actual.eventType() + " " + actual.eventId() + " (" + actual.reason() + ") payload " + actual.payload();
    }

    private String violations() {
        if (actual.violations().isEmpty()) {
            return "  (none)";
        }
        return actual.violations().stream().map(Violation::toString).map(v -> "  " + v)
                .collect(Collectors.joining(System.lineSeparator()));
    }
}
