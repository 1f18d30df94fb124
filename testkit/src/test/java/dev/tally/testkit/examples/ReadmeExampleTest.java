package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the embedding example of README.md and checks the README still shows exactly this code. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRunsAndReportsRevenuePerCountry(@TempDir Path dataDir) {
        MetricResult revenue = readmeExample(dataDir);
        assertThat(revenue.points()).singleElement().satisfies(p -> {
            assertThat(p.dimensions()).containsEntry("country", "US");
            assertThat(p.value()).isEqualTo(42.0);
        });
    }

    @Test
    void readmeShowsTheSameCode() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md")).replaceAll("\\s+", " ");
        String source = Files.readString(Path.of("src", "test", "java", "dev", "tally", "testkit", "examples",
                "ReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// README-START") + "// README-START".length(),
                source.indexOf("// README-END")).replaceAll("\\s+", " ").trim();
        assertThat(readme).contains(snippet);
    }

    private static MetricResult readmeExample(Path dataDir) {
        // README-START
        try (Tally tally = Tally.builder().dataDir(dataDir).build()) {
            tally.registerSchema("purchase", """
                    {"type": "object", "properties": {
                      "amount":   {"type": "number", "required": true},
                      "currency": {"type": "string", "enum": ["USD", "EUR"]}}}""");
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));

            tally.ingest(List.of(
                    Event.builder("purchase").userId("u1").property("amount", 42.0).country("US").build(),
                    Event.builder("purchase").userId("u2").property("amount", "oops").build()));
            tally.awaitIdle();   // every accepted event is aggregated: no sleeps

            Instant now = Instant.now();
            MetricResult revenue = tally.query(MetricQuery.metric("revenue")
                    .between(now.minus(Duration.ofHours(1)), now.plus(Duration.ofMinutes(1)))
                    .groupBy("country").build());
            tally.rejectedEvents(10).forEach(r -> System.out.println("rejected: " + r.violations()));
            return revenue;      // points: [{country=US} 42.0]
        }
        // README-END
    }
}
