package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.EventFate;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.tally.testkit.TallyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Example: look an event up by id and assert on its fate — accepted (with the stored copy), duplicate (with how
 * many times it was resent), rejected (with why) or late. The question a team asks of a tracking bug is "what
 * happened to <em>this</em> event?", not "how many events arrived?": count-based assertions pass with the wrong
 * events and fail on unrelated ones. {@code GET /v1/events/{eventId}} answers the same over HTTP.
 */
@TallyTest(schemas = "schemas/", metrics = "metrics/")
class EventFateExampleTest {

    @Test
    void everyEventHasAFate(Tally tally, TestClock clock) {
        Event order = purchase("order-1", clock, 25.0);
        tally.ingest(order);
        tally.ingest(order);                                   // a client retry
        tally.ingest(Event.builder("purchase").eventId("order-2").timestamp(clock.instant())
                .property("productId", "sku-1").property("currency", "USD").build());   // no amount
        tally.ingest(purchase("order-3", clock, 10.0));

        assertThat(tally).event("order-1").isDuplicate().hasCopies(1).hasStoredProperty("amount", 25.0);
        assertThat(tally).event("order-2").isRejected().hasViolation("properties.amount", "required");
        assertThat(tally).event("order-3").isAccepted();
        assertThat(tally).event("order-4").isUnknown();
    }

    @Test
    void aLateEventIsCountedByTheRollupButNotInRealTime(Tally tally, TestClock clock) {
        tally.ingest(purchase("fresh", clock, 5.0));
        tally.awaitIdle();                                     // the watermark moves to now
        tally.ingest(Event.builder("purchase").eventId("from-the-train").userId("u1")
                .timestamp(clock.instant().minus(Duration.ofHours(2)))   // a phone back online
                .property("productId", "sku-1").property("amount", 7.0).property("currency", "USD").build());

        assertThat(tally).event("from-the-train").isLate().isCounted();
        // The Java API gives the same answer as a value, for any other check:
        EventFate fate = tally.event("from-the-train");
        assertThat(fate.stored()).hasValueSatisfying(e -> assertThat(e.userId()).isEqualTo("u1"));
    }

    private static Event purchase(String id, TestClock clock, double amount) {
        return Event.builder("purchase").eventId(id).userId("u-" + id).timestamp(clock.instant()).country("US")
                .property("productId", "sku-1").property("amount", amount).property("currency", "USD").build();
    }
}
