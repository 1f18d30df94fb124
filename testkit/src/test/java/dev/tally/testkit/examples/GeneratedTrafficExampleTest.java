package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.testkit.EventGenerator;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Example: feed the engine realistic, reproducible traffic from {@link EventGenerator} and check a metric against
 * the same numbers computed from the events themselves.
 */
@TallyTest
class GeneratedTrafficExampleTest {

    @Test
    void revenuePerCountryMatchesTheGeneratedPurchases(Tally tally, TestClock clock) {
        EventGenerator.registerSchemas(tally);
        tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));

        Instant anHourAgo = clock.instant().minus(Duration.ofHours(1));
        List<Event> traffic = EventGenerator.builder()
                .seed(42)                              // same seed, same events: a failure reproduces
                .users(5_000)                          // Zipf: a few heavy users, a long tail
                .start(anHourAgo).span(Duration.ofHours(1)).rate(2)   // ~7,200 events over the last hour
                .purchaseShare(0.2)
                .build()
                .stream().toList();
        tally.ingest(traffic);
        tally.awaitIdle();

        Map<String, Double> expected = traffic.stream()
                .filter(e -> e.eventType().equals("purchase"))
                .collect(Collectors.groupingBy(e -> e.context().country(),
                        Collectors.summingDouble(e -> ((Number) e.properties().get("amount")).doubleValue())));
        Map<String, Double> actual = tally.query(MetricQuery.metric("revenue")
                        .between(anHourAgo, clock.instant().plusSeconds(1)).groupBy("country").build())
                .points().stream()
                .collect(Collectors.toMap(p -> p.dimensions().get("country"), MetricPoint::value));

        assertThat(actual).containsOnlyKeys(expected.keySet());
        expected.forEach((country, revenue) -> assertThat(actual.get(country)).as(country).isCloseTo(revenue, within(1e-6)));
    }
}
