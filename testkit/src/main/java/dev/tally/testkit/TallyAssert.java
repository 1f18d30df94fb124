package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.ProjectOperations;
import dev.tally.api.RejectedEvent;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.FactoryBasedNavigableListAssert;

import java.util.List;

/**
 * Assertions on one project of a {@link Tally}; see {@link TallyAssertions}. Each assertion queries the engine when
 * it runs (after {@link Tally#awaitIdle()} unless {@link #withoutAwaitingIdle()}), so one {@code TallyAssert} may
 * be kept and asserted on again after more events. Not thread-safe.
 */
public final class TallyAssert extends AbstractAssert<TallyAssert, Tally> {
    /** How many rejected events {@link #rejectedEvents()} reads, newest first. */
    public static final int REJECTED_EVENTS_LIMIT = 10_000;

    private final ProjectOperations project;
    private final boolean awaitIdle;

    TallyAssert(Tally tally, ProjectOperations project, boolean awaitIdle) {
        super(tally, TallyAssert.class);
        this.project = project;
        this.awaitIdle = awaitIdle;
    }

    /** The same assertions on another project of the engine. */
    public TallyAssert project(String projectId) {
        return new TallyAssert(actual, actual.project(projectId), awaitIdle);
    }

    /**
     * Asserts on what the engine holds right now, without waiting for idle: for tests of freshness, or of what a
     * query shows while events are still in flight.
     */
    public TallyAssert withoutAwaitingIdle() {
        return new TallyAssert(actual, project, false);
    }

    /**
     * A metric query to assert on: by default over the engine's real-time retention up to the latest timestamp it
     * accepts ({@code now - 24h} to {@code now + maxFutureSkew}, by the engine clock), one point for the whole
     * range; narrow it with {@link MetricAssert#between}, {@link MetricAssert#granularity} and
     * {@link MetricAssert#filter}.
     */
    public MetricAssert metric(String name) {
        isNotNull();
        return new MetricAssert(this, name);
    }

    /**
     * The project's rejected and late events, newest first (at most {@link #REJECTED_EVENTS_LIMIT}), as an AssertJ
     * list whose elements are {@link RejectedEventAssert}s: {@code .singleElement().hasViolation(...)},
     * {@code .first().isLate()}, {@code .isEmpty()}.
     */
    public FactoryBasedNavigableListAssert<?, List<? extends RejectedEvent>, RejectedEvent, RejectedEventAssert>
            rejectedEvents() {
        isNotNull();
        idle();
        List<RejectedEvent> rejected = project.rejectedEvents(REJECTED_EVENTS_LIMIT);
        FactoryBasedNavigableListAssert<?, List<? extends RejectedEvent>, RejectedEvent, RejectedEventAssert> list =
                FactoryBasedNavigableListAssert.assertThat(rejected, RejectedEventAssert::new);
        list.as("rejected events of project '%s'", project.projectId());
        return list;
    }

    /**
     * What became of one event id of the project ({@link dev.tally.api.EventFate}), after waiting for idle so that
     * lateness and the archived copy are known: {@code .isAccepted()}, {@code .isDuplicate().hasCopies(2)},
     * {@code .isRejected().hasViolation("properties.amount", "required")}, {@code .isLate()}.
     */
    public EventFateAssert event(String eventId) {
        isNotNull();
        idle();
        return new EventFateAssert(project.event(eventId)).as("event '%s' of project '%s'", eventId,
                project.projectId());
    }

    ProjectOperations projectOperations() {
        return project;
    }

    Tally tally() {
        return actual;
    }

    /** Waits for the engine to be idle, unless told not to; every assertion that reads the engine calls this. */
    void idle() {
        if (awaitIdle) {
            actual.awaitIdle();
        }
    }
}
