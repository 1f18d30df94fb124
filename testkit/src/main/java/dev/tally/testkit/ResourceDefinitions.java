package dev.tally.testkit;

import dev.tally.api.Aggregation;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.ProjectOperations;
import dev.tally.api.TallyException;
import dev.tally.api.Violation;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Registers schemas and defines metrics from files on the test classpath, so a test suite keeps its tracking
 * plan as JSON next to the tests (and can share it with the app) instead of repeating it in code.
 *
 * <ul>
 *   <li>A schema location is a folder of {@code <eventType>.json} files (or one such file), each the JSON
 *       Schema that {@code registerSchema} takes.</li>
 *   <li>A metric location is a folder of {@code .json} files (or one file), each holding one definition in the
 *       shape of the HTTP API's {@code POST /v1/metrics} body, {@code {"name", "eventType", "aggregation",
 *       "property", "dimensions"}}, or an array of them.</li>
 * </ul>
 * Files are applied in name order. Any problem — a missing location, malformed JSON, an unknown field, a schema or
 * definition the engine refuses — throws {@link TestResourceException} naming the file. Stateless and thread-safe.
 */
public final class ResourceDefinitions {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ResourceDefinitions() {
    }

    /** Registers every schema file under {@code location}; returns the event types, in file order. */
    public static List<String> registerSchemas(ProjectOperations target, ClassLoader loader, String location) {
        List<String> types = new ArrayList<>();
        for (ClasspathResources.Resource file : ClasspathResources.jsonFiles(loader, location)) {
            String type = file.baseName();
            try {
                target.registerSchema(type, file.text());
            } catch (TallyException e) {
                throw new TestResourceException(file.name(), "schema for event type '" + type + "' refused: "
                        + describe(e), e);
            }
            types.add(type);
        }
        return types;
    }

    /** Defines every metric in the files under {@code location}; returns them, in file order. */
    public static List<MetricDefinition> defineMetrics(ProjectOperations target, ClassLoader loader,
                                                       String location) {
        List<MetricDefinition> defined = new ArrayList<>();
        for (ClasspathResources.Resource file : ClasspathResources.jsonFiles(loader, location)) {
            for (MetricDefinition d : readMetrics(file)) {
                try {
                    defined.add(target.defineMetric(d));
                } catch (TallyException e) {
                    throw new TestResourceException(file.name(), "metric '" + d.name() + "' refused: " + describe(e), e);
                }
            }
        }
        return defined;
    }

    private static List<MetricDefinition> readMetrics(ClasspathResources.Resource file) {
        List<MetricFile> entries = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(file.text());
            if (root.isArray()) {
                for (JsonNode element : root) {
                    entries.add(JSON.treeToValue(element, MetricFile.class));
                }
            } else {
                entries.add(JSON.treeToValue(root, MetricFile.class));
            }
        } catch (JacksonException e) {
            throw new TestResourceException(file.name(), "not a metric definition (" + e.getOriginalMessage()
                    + "); expected {\"name\", \"eventType\", \"aggregation\", \"property\", \"dimensions\"} or an"
                    + " array of them", e);
        }
        List<MetricDefinition> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            MetricFile m = entries.get(i);
            try {
                if (m.aggregation() == null) {
                    throw new InvalidRequestException("aggregation", "required",
                            "aggregation is required: count, sum, avg, min, max or unique");
                }
                out.add(new MetricDefinition(m.name(), m.eventType(), Aggregation.parse(m.aggregation()),
                        m.property(), m.dimensions()));
            } catch (TallyException e) {
                String where = entries.size() > 1 ? "definition [" + i + "]" : "definition";
                throw new TestResourceException(file.name(), where + " invalid: " + describe(e), e);
            }
        }
        return out;
    }

    private static String describe(TallyException e) {
        if (e instanceof InvalidRequestException invalid && !invalid.violations().isEmpty()) {
            return invalid.violations().stream().map(Violation::toString).collect(Collectors.joining("; "));
        }
        return e.getMessage();
    }

    /** The {@code POST /v1/metrics} body. */
    private record MetricFile(String name, String eventType, String aggregation, String property,
                              List<String> dimensions) {
    }
}
