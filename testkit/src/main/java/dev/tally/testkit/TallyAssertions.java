package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.EventFate;
import dev.tally.api.RejectedEvent;

/**
 * Entry point of Tally's AssertJ assertions, next to AssertJ's own {@code Assertions}:
 * <pre>{@code
 * import static dev.tally.testkit.TallyAssertions.assertThat;
 *
 * assertThat(tally).metric("revenue").groupedBy("country").containsEntry("US", 150.0);
 * assertThat(tally).metric("purchases").total().isEqualTo(3.0);
 * assertThat(tally).rejectedEvents().singleElement().hasViolation("properties.amount", "required");
 * assertThat(tally).event("e-1").isAccepted();
 * assertThat(tally).event("e-2").isRejected().hasViolation("properties.amount", "required");
 * }</pre>
 * Every assertion on {@code assertThat(tally)} first waits until the engine is idle (every accepted event
 * aggregated and archived), so tests never sleep; {@link TallyAssert#withoutAwaitingIdle()} turns that off.
 * Failure messages show what the engine actually holds (all points of the query, all violations).
 */
public final class TallyAssertions {
    private TallyAssertions() {
    }

    /** Assertions on the default project of {@code tally}; {@link TallyAssert#project(String)} for others. */
    public static TallyAssert assertThat(Tally tally) {
        return new TallyAssert(tally, tally, true);
    }

    public static RejectedEventAssert assertThat(RejectedEvent event) {
        return new RejectedEventAssert(event);
    }

    public static EventFateAssert assertThat(EventFate fate) {
        return new EventFateAssert(fate);
    }
}
