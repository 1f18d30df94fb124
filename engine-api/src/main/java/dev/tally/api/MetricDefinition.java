package dev.tally.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A metric Tally maintains in real time: an {@link Aggregation} over events of one type (or all types when
 * {@code eventType} is {@code null}), split by up to four dimensions.
 *
 * <p>Dimensions are {@code eventType}, {@code country}, {@code device} or {@code properties.<name>}.
 * A definition is validated when constructed; an invalid one throws {@link InvalidRequestException}
 * naming every problem.
 */
public record MetricDefinition(String name, String eventType, Aggregation aggregation, String property,
                               List<String> dimensions) {

    public static final int MAX_DIMENSIONS = 4;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,99}");
    private static final Pattern PROPERTY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public MetricDefinition {
        dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
        List<Violation> problems = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(new Violation("name", "invalid_format",
                    "metric name must match " + NAME.pattern()));
        }
        if (aggregation == null) {
            problems.add(new Violation("aggregation", "required", "aggregation is required"));
        } else if (aggregation.needsProperty()) {
            if (property == null || !PROPERTY.matcher(property).matches()) {
                problems.add(new Violation("property", "required",
                        aggregation.wireName() + " needs a numeric property name matching " + PROPERTY.pattern()));
            }
        } else if (property != null) {
            problems.add(new Violation("property", "not_allowed",
                    aggregation.wireName() + " does not read a property"));
        }
        if (eventType != null && !Limits.EVENT_TYPE.matcher(eventType).matches()) {
            problems.add(new Violation("eventType", "invalid_format",
                    "eventType must match " + Limits.EVENT_TYPE.pattern()));
        }
        if (dimensions.size() > MAX_DIMENSIONS) {
            problems.add(new Violation("dimensions", "too_many", "at most " + MAX_DIMENSIONS + " dimensions"));
        }
        for (int i = 0; i < dimensions.size(); i++) {
            String d = dimensions.get(i);
            if (!isValidDimension(d)) {
                problems.add(new Violation("dimensions[" + i + "]", "invalid_value",
                        "dimension '" + d + "' must be eventType, country, device or properties.<name>"));
            } else if (dimensions.indexOf(d) != i) {
                problems.add(new Violation("dimensions[" + i + "]", "duplicate", "dimension '" + d + "' repeated"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }

    public static boolean isValidDimension(String d) {
        if (d == null) {
            return false;
        }
        if (d.equals("eventType") || d.equals("country") || d.equals("device")) {
            return true;
        }
        return d.startsWith("properties.") && PROPERTY.matcher(d.substring("properties.".length())).matches();
    }

    public static MetricDefinition count(String name, String eventType, String... dimensions) {
        return new MetricDefinition(name, eventType, Aggregation.COUNT, null, List.of(dimensions));
    }

    public static MetricDefinition sum(String name, String eventType, String property, String... dimensions) {
        return new MetricDefinition(name, eventType, Aggregation.SUM, property, List.of(dimensions));
    }

    public static MetricDefinition of(String name, String eventType, Aggregation aggregation, String property,
                                      String... dimensions) {
        return new MetricDefinition(name, eventType, aggregation, property, List.of(dimensions));
    }
}
