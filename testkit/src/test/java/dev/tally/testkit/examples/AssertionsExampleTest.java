package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.tally.testkit.TallyAssertions.assertThat;

/**
 * Example: AssertJ-style assertions on what the engine counted and what it refused. They wait for the engine to be
 * idle first (no sleeps, no polling), and a failure prints every point the query returned.
 */
@TallyTest(schemas = "schemas/", metrics = "metrics/")
class AssertionsExampleTest {

    @Test
    void revenuePerCountry(Tally tally, TestClock clock) {
        Instant now = clock.instant();
        tally.ingest(purchase("US", 100.0, now.minus(Duration.ofMinutes(70))));
        tally.ingest(purchase("US", 50.0, now.minus(Duration.ofMinutes(10))));
        tally.ingest(purchase("DE", 20.0, now.minus(Duration.ofMinutes(10))));

        assertThat(tally).metric("revenue").groupedBy("country")
                .containsEntry("US", 150.0)
                .containsEntry("DE", 20.0);
        assertThat(tally).metric("revenue").between(now.minus(Duration.ofHours(1)), now)
                .total().isEqualTo(70.0);
        assertThat(tally).metric("revenue").between(now.minus(Duration.ofHours(2)), now)
                .granularity(Granularity.HOUR).points().hasSize(2);
        assertThat(tally).metric("buyers").total().isEqualTo(3.0);
    }

    @Test
    void aPurchaseWithoutAmountIsRejectedWithTheReason(Tally tally, TestClock clock) {
        tally.ingest(Event.builder("purchase").eventId("no-amount").timestamp(clock.instant())
                .property("productId", "sku-1").property("currency", "USD").build());

        assertThat(tally).rejectedEvents().singleElement()
                .hasEventId("no-amount")
                .hasViolation("properties.amount", "required");
        assertThat(tally).metric("revenue").total().isZero();
    }

    private static Event purchase(String country, double amount, Instant at) {
        return Event.builder("purchase").userId("buyer-" + amount).timestamp(at).country(country).device("mobile")
                .property("productId", "sku-1").property("amount", amount).property("currency", "USD").build();
    }
}
