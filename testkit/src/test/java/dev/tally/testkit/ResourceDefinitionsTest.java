package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.Aggregation;
import dev.tally.api.MetricDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TallyTest
class ResourceDefinitionsTest {
    private static final ClassLoader LOADER = ResourceDefinitionsTest.class.getClassLoader();

    @Test
    void schemaFolder_registersOneSchemaPerFileNamedByEventType(Tally tally) {
        assertThat(ResourceDefinitions.registerSchemas(tally, LOADER, "schemas/"))
                .containsExactly("page_view", "purchase");
        assertThat(tally.schemaTypes()).containsExactlyInAnyOrder("page_view", "purchase");
    }

    @Test
    void singleFileLocation_andLeadingSlash_areAccepted(Tally tally) {
        assertThat(ResourceDefinitions.registerSchemas(tally, LOADER, "/schemas/purchase.json"))
                .containsExactly("purchase");
        assertThat(ResourceDefinitions.defineMetrics(tally, LOADER, "metrics/revenue.json"))
                .extracting(MetricDefinition::name).containsExactly("revenue");
    }

    @Test
    void metricFiles_holdOneDefinitionOrAnArray_inHttpBodyShape(Tally tally) {
        List<MetricDefinition> defined = ResourceDefinitions.defineMetrics(tally, LOADER, "metrics");
        assertThat(defined).containsExactly(
                MetricDefinition.count("page_views", "page_view", "properties.path"),
                MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null),
                MetricDefinition.sum("revenue", "purchase", "amount", "country", "device"));
        assertThat(tally.metrics()).containsAll(defined);
    }

    @Test
    void missingLocation_namesTheLocation(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.registerSchemas(tally, LOADER, "no-such-folder/"))
                .isInstanceOf(TestResourceException.class)
                .hasMessageStartingWith("no-such-folder/: no .json file on the classpath");
    }

    @Test
    void folderWithoutJsonFiles_isAnError(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.defineMetrics(tally, LOADER, "invalid/empty-folder"))
                .isInstanceOf(TestResourceException.class)
                .hasMessageContaining("no .json file");
    }

    @Test
    void malformedSchema_namesTheFileAndEventType(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.registerSchemas(tally, LOADER, "invalid/schema-malformed"))
                .isInstanceOf(TestResourceException.class)
                .hasMessageStartingWith("invalid/schema-malformed/purchase.json: schema for event type 'purchase' refused")
                .extracting(e -> ((TestResourceException) e).resource())
                .isEqualTo("invalid/schema-malformed/purchase.json");
    }

    @Test
    void schemaTheEngineRefuses_showsTheEnginesViolation(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.registerSchemas(tally, LOADER, "invalid/schema-refused"))
                .hasMessageStartingWith("invalid/schema-refused/purchase.json: ")
                .hasMessageContaining("[remote_ref]");
    }

    @Test
    void unknownMetricField_namesFileAndField(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.defineMetrics(tally, LOADER, "invalid/metric-unknown-field"))
                .hasMessageStartingWith("invalid/metric-unknown-field/revenue.json: not a metric definition")
                .hasMessageContaining("\"dimension\"");
        assertThat(tally.metrics()).extracting(MetricDefinition::name).doesNotContain("revenue");
    }

    @Test
    void invalidEntryInAnArray_namesItsIndexAndProblem(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.defineMetrics(tally, LOADER, "invalid/metric-array-bad-entry"))
                .hasMessageStartingWith("invalid/metric-array-bad-entry/metrics.json: definition [1] invalid: ")
                .hasMessageContaining("aggregation [invalid_value]: unknown aggregation 'total'");
    }

    @Test
    void fileThatIsNotJson_namesTheFile(Tally tally) {
        assertThatThrownBy(() -> ResourceDefinitions.defineMetrics(tally, LOADER, "invalid/metric-not-json"))
                .hasMessageStartingWith("invalid/metric-not-json/revenue.json: not a metric definition");
    }

    @Test
    void locationsInsideAJar_areRead(Tally tally, @TempDir Path dir) throws IOException {
        Path jar = dir.resolve("plan.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String folder : List.of("plan/", "plan/schemas/", "plan/metrics/")) {   // as Maven writes jars
                out.putNextEntry(new JarEntry(folder));
                out.closeEntry();
            }
            put(out, "plan/schemas/signup.json", "{\"type\":\"object\",\"properties\":{\"plan\":{\"type\":\"string\"}}}");
            put(out, "plan/metrics/signups.json", "{\"name\":\"signups\",\"eventType\":\"signup\",\"aggregation\":\"count\"}");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null)) {
            assertThat(ResourceDefinitions.registerSchemas(tally, loader, "plan/schemas")).containsExactly("signup");
            assertThat(ResourceDefinitions.defineMetrics(tally, loader, "plan/metrics"))
                    .containsExactly(MetricDefinition.count("signups", "signup"));
        }
    }

    private static void put(JarOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }
}
