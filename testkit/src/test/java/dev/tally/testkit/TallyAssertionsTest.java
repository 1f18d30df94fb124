package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.tally.testkit.TallyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TallyAssertionsTest {
    @RegisterExtension
    final TallyExtension extension = TallyExtension.local().schemas("schemas/purchase.json");

    private Tally tally;
    private TestClock clock;

    @BeforeEach
    void events(Tally tally, TestClock clock) {
        this.tally = tally;
        this.clock = clock;
        tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country", "device"));
        tally.defineMetric(MetricDefinition.count("purchases", "purchase"));
        Instant now = clock.instant();
        tally.ingest(List.of(
                purchase("p1", now.minus(Duration.ofMinutes(90)), "US", "mobile", 100),
                purchase("p2", now.minus(Duration.ofMinutes(30)), "US", "desktop", 50),
                purchase("p3", now.minus(Duration.ofMinutes(30)), "DE", "mobile", 20),
                Event.builder("purchase").eventId("bad").timestamp(now)
                        .property("productId", "sku-9").property("currency", "USD").build()));
        // no awaitIdle: the assertions wait
    }

    private static Event purchase(String id, Instant at, String country, String device, double amount) {
        return Event.builder("purchase").eventId(id).userId("u-" + id).timestamp(at).country(country).device(device)
                .property("productId", "sku-1").property("amount", amount).property("currency", "USD").build();
    }

    @Test
    void total_andGroups_seeEveryEventWithoutAnExplicitWait() {
        assertThat(tally).metric("revenue").total().isEqualTo(170.0);
        assertThat(tally).metric("purchases").total().isEqualTo(3.0);
        assertThat(tally).metric("revenue").groupedBy("country")
                .containsEntry("US", 150.0).containsEntry("DE", 20.0).containsOnlyKeys("US", "DE");
        assertThat(tally).metric("revenue").groupedBy("country", "device")
                .containsEntry("US/desktop", 50.0).hasSize(3);
        assertThat(tally).metric("revenue").filter("device", "mobile").total().isEqualTo(120.0);
    }

    @Test
    void between_andGranularity_narrowTheQuery() {
        Instant now = clock.instant();
        assertThat(tally).metric("revenue").between(now.minus(Duration.ofHours(1)), now).total().isEqualTo(70.0);
        assertThat(tally).metric("revenue").between(now.minus(Duration.ofHours(2)), now)
                .granularity(Granularity.HOUR).points().hasSize(2);
    }

    @Test
    void anEmptyCountOrSumIsZero() {
        tally.defineMetric(MetricDefinition.count("refunds", "refund"));
        assertThat(tally).metric("refunds").total().isZero();
        assertThat(tally).metric("revenue").filter("country", "FR").total().isZero();
    }

    @Test
    void aFailedTotal_showsThePoints() {
        assertThatThrownBy(() -> assertThat(tally).metric("revenue").total().isEqualTo(171.0))
                .hasMessageContaining("metric 'revenue' of project 'default', granularity all")
                .hasMessageContaining("= 170.0")
                .hasMessageContaining("expected: 171.0");
    }

    @Test
    void aFailedGroupEntry_showsEveryGroup() {
        assertThatThrownBy(() -> assertThat(tally).metric("revenue").groupedBy("country").containsEntry("US", 151.0))
                .hasMessageContaining("{country=US} = 150.0")
                .hasMessageContaining("{country=DE} = 20.0")
                .hasMessageContaining("grouped by [country]");
        assertThatThrownBy(() -> assertThat(tally).metric("revenue").groupedBy("country")
                .containsEntry("US", 151.0, within(0.5)))
                .hasMessageContaining("group 'US'").hasMessageContaining("150.0");
    }

    @Test
    void groupsWithSeveralBuckets_askForPointsInstead() {
        Instant now = clock.instant();
        assertThatThrownBy(() -> assertThat(tally).metric("revenue").between(now.minus(Duration.ofHours(2)), now)
                .granularity(Granularity.HOUR).groupedBy("country"))
                .hasMessageContaining("several points for group 'US'").hasMessageContaining("points()");
    }

    @Test
    void rejectedEvents_singleElement_hasViolation() {
        assertThat(tally).rejectedEvents().singleElement()
                .isInvalid().hasEventId("bad").hasEventType("purchase")
                .hasViolation("properties.amount", "required");
    }

    @Test
    void aMissingViolation_listsTheActualOnes() {
        assertThatThrownBy(() -> assertThat(tally).rejectedEvents().singleElement()
                .hasViolation("properties.currency", "enum"))
                .hasMessageContaining("to have a violation at <properties.currency> with code <enum>")
                .hasMessageContaining("properties.amount [required]");
    }

    @Test
    void lateEvents_areAmongTheRejected() {
        assertThat(tally).metric("purchases").total().isEqualTo(3.0);   // the watermark is at now - 30 min
        clock.advance(Duration.ofSeconds(1));                            // newest first: a later recordedAt
        tally.ingest(purchase("old", clock.instant().minus(Duration.ofMinutes(60)), "US", "mobile", 1));
        assertThat(tally).rejectedEvents().first().isLate().hasEventId("old");
    }

    @Test
    void otherProjects_areAssertedThroughProject() {
        tally.createProject("shop");
        tally.project("shop").ingest(Event.builder("click").timestamp(clock.instant()).build());
        assertThat(tally).project("shop").metric("event_count").total().isEqualTo(1.0);
        assertThat(tally).project("shop").rejectedEvents().isEmpty();
    }

    @Test
    void event_fateOfEachKindOfId() {
        tally.ingest(purchase("p2", clock.instant(), "US", "desktop", 50));
        tally.ingest(purchase("old", clock.instant().minus(Duration.ofMinutes(60)), "US", "mobile", 1));
        assertThat(tally).event("p1").isAccepted().isCounted().hasStoredProperty("amount", 100.0);
        assertThat(tally).event("p2").isDuplicate().hasCopies(1).isCounted();
        assertThat(tally).event("bad").isRejected().hasViolation("properties.amount", "required");
        assertThat(tally).event("old").isLate().isCounted().hasViolationAt("timestamp");
        assertThat(tally).event("never").isUnknown();
        assertThat(tally.event("p3")).isAccepted().stored().extracting(Event::userId).isEqualTo("u-p3");
    }

    @Test
    void aWrongFate_saysWhatTheEventWasAndWhy() {
        assertThatThrownBy(() -> assertThat(tally).event("bad").isAccepted())
                .hasMessageContaining("event 'bad' of project 'default'")
                .hasMessageContaining("to be <ACCEPTED> but it was <REJECTED>")
                .hasMessageContaining("properties.amount [required]");
        assertThatThrownBy(() -> assertThat(tally).event("p1").isDuplicate())
                .hasMessageContaining("to be <DUPLICATE> but it was <ACCEPTED>");
        assertThatThrownBy(() -> assertThat(tally).event("never").isCounted())
                .hasMessageContaining("<UNKNOWN>");
    }
}
