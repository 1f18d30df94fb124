package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.IngestResult;
import dev.tally.api.MetricDefinition;
import dev.tally.testkit.TallyExtension;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Example: keep the tracking plan (event schemas, metric definitions) as JSON files in {@code src/test/resources}
 * and have every test's engine start with it.
 *
 * <pre>
 * src/test/resources/schemas/purchase.json      the JSON Schema of "purchase" events (file name = event type)
 * src/test/resources/schemas/page_view.json
 * src/test/resources/metrics/revenue.json       {"name": "revenue", "eventType": "purchase", "aggregation": "sum", ...}
 * src/test/resources/metrics/engagement.json    an array of such definitions
 * </pre>
 */
class TrackingPlanFromResourcesExampleTest {

    @Nested
    @TallyTest(schemas = "schemas/", metrics = "metrics/")
    class WithTheAnnotation {
        @Test
        void theEngineStartsWithTheSchemasAndMetricsOfTheResources(Tally tally) {
            assertThat(tally.schemaTypes()).containsExactlyInAnyOrder("purchase", "page_view");
            assertThat(tally.metrics()).extracting(MetricDefinition::name)
                    .contains("revenue", "page_views", "buyers");
        }

        @Test
        void eventsAreValidatedAgainstTheResourceSchemas(Tally tally, TestClock clock) {
            BatchResult result = tally.ingest(List.of(
                    Event.builder("purchase").timestamp(clock.instant())
                            .property("productId", "sku-1").property("amount", 9.5).property("currency", "EUR").build(),
                    Event.builder("purchase").timestamp(clock.instant())
                            .property("productId", "sku-2").property("currency", "EUR").build()));   // no amount

            assertThat(result.results()).extracting(IngestResult::status)
                    .containsExactly(IngestResult.Status.ACCEPTED, IngestResult.Status.REJECTED);
        }
    }

    /** The same with a registered extension, e.g. to combine it with other options. */
    @Nested
    class WithARegisteredExtension {
        @RegisterExtension
        final TallyExtension tally = TallyExtension.local()
                .schemas("schemas/purchase.json")
                .metrics("metrics/revenue.json");

        @Test
        void onlyTheNamedFilesAreApplied(Tally tally) {
            assertThat(tally.schemaTypes()).containsExactly("purchase");
            assertThat(tally.metrics()).extracting(MetricDefinition::name).contains("revenue")
                    .doesNotContain("page_views");
        }
    }
}
