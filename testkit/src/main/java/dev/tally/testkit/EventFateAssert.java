package dev.tally.testkit;

import dev.tally.api.Event;
import dev.tally.api.EventFate;
import dev.tally.api.Violation;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.ObjectAssert;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Assertions on what became of one event id ({@link EventFate}), from {@code assertThat(tally).event("e-1")}:
 * <pre>{@code
 * assertThat(tally).event("e-1").isAccepted().hasStoredProperty("amount", 25.0);
 * assertThat(tally).event("e-2").isDuplicate().hasCopies(2);
 * assertThat(tally).event("e-3").isRejected().hasViolation("properties.amount", "required");
 * assertThat(tally).event("e-4").isLate();
 * }</pre>
 * Failures name the id, its actual fate and its violations. Not thread-safe.
 */
public final class EventFateAssert extends AbstractAssert<EventFateAssert, EventFate> {

    EventFateAssert(EventFate actual) {
        super(actual, EventFateAssert.class);
    }

    /** Accepted once and never resent ({@link #isCounted()} also allows resent copies). */
    public EventFateAssert isAccepted() {
        return hasStatus(EventFate.Status.ACCEPTED);
    }

    /** Accepted once, then resent at least once (each copy answered {@code duplicate}). */
    public EventFateAssert isDuplicate() {
        return hasStatus(EventFate.Status.DUPLICATE);
    }

    /** Refused at ingest (limits or schema); {@link #hasViolation} says why. */
    public EventFateAssert isRejected() {
        return hasStatus(EventFate.Status.REJECTED);
    }

    /** Accepted, but too late for its real-time window: the batch rollup counts it, real-time queries miss it. */
    public EventFateAssert isLate() {
        return hasStatus(EventFate.Status.LATE);
    }

    /** Never seen (or forgotten: older than the dedup window and the rejected-events listing). */
    public EventFateAssert isUnknown() {
        return hasStatus(EventFate.Status.UNKNOWN);
    }

    /** In the log and counted once: accepted, duplicate or late. */
    public EventFateAssert isCounted() {
        isNotNull();
        if (actual.status() == EventFate.Status.REJECTED || actual.status() == EventFate.Status.UNKNOWN) {
            failWithMessage("%nExpecting event <%s> to be counted (accepted, duplicate or late) but it was %s",
                    actual.eventId(), describe());
        }
        return this;
    }

    public EventFateAssert hasStatus(EventFate.Status status) {
        isNotNull();
        if (actual.status() != status) {
            failWithMessage("%nExpecting event <%s> to be <%s> but it was %s", actual.eventId(), status, describe());
        }
        return this;
    }

    /** How many later submissions of the id were refused as duplicates. */
    public EventFateAssert hasCopies(long copies) {
        isDuplicate();
        long actualCopies = ((EventFate.Duplicate) actual).copies();
        if (actualCopies != copies) {
            failWithMessage("%nExpecting event <%s> to have been resent <%s> times but it was resent <%s> times",
                    actual.eventId(), copies, actualCopies);
        }
        return this;
    }

    /** Has a violation at {@code path} (e.g. {@code properties.amount}) with {@code code} (e.g. {@code required}). */
    public EventFateAssert hasViolation(String path, String code) {
        isNotNull();
        if (violationsOf(actual).stream().noneMatch(v -> v.path().equals(path) && v.code().equals(code))) {
            failWithMessage("%nExpecting event <%s> to have a violation at <%s> with code <%s>, but it was %s",
                    actual.eventId(), path, code, describe());
        }
        return this;
    }

    /** Has a violation at {@code path}, whatever its code. */
    public EventFateAssert hasViolationAt(String path) {
        isNotNull();
        if (violationsOf(actual).stream().noneMatch(v -> v.path().equals(path))) {
            failWithMessage("%nExpecting event <%s> to have a violation at <%s>, but it was %s", actual.eventId(), path,
                    describe());
        }
        return this;
    }

    /** A property of the stored (archived) copy equals {@code value} (numbers compare as doubles). */
    public EventFateAssert hasStoredProperty(String name, Object value) {
        Event stored = storedEvent();
        Object actualValue = stored.properties().get(name);
        boolean same = actualValue instanceof Number a && value instanceof Number b
                ? a.doubleValue() == b.doubleValue() : Objects.equals(actualValue, value);
        if (!same) {
            failWithMessage("%nExpecting stored event <%s> to have property <%s> = <%s> but its properties are %s",
                    actual.eventId(), name, value, stored.properties());
        }
        return this;
    }

    /** The stored (archived) copy of the event, for any further assertion. */
    public ObjectAssert<Event> stored() {
        return new ObjectAssert<>(storedEvent());
    }

    private Event storedEvent() {
        isNotNull();
        if (actual.stored().isEmpty()) {
            failWithMessage("%nExpecting event <%s> to be stored (archived) but it was %s", actual.eventId(),
                    describe());
        }
        return actual.stored().get();
    }

    private static List<Violation> violationsOf(EventFate fate) {
        if (fate instanceof EventFate.Rejected r) {
            return r.violations();
        }
        return fate instanceof EventFate.Late l ? l.violations() : List.of();
    }

    private String describe() {
        String detail = "";
        if (actual instanceof EventFate.Duplicate d) {
            detail = " (resent " + d.copies() + " times)";
        } else if (actual instanceof EventFate.Rejected r) {
            detail = " (" + r.attempts() + " attempts; payload " + r.payload() + ")";
        }
        List<Violation> violations = violationsOf(actual);
        String listed = violations.isEmpty() ? "" : " with violations:" + System.lineSeparator()
                + violations.stream().map(v -> "  " + v).collect(Collectors.joining(System.lineSeparator()));
        return "<" + actual.status() + ">" + detail + listed;
    }
}
