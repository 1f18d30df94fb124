package dev.tally.testkit;

import org.assertj.core.api.Assertions;
import org.assertj.core.api.MapAssert;
import org.assertj.core.data.Offset;

import java.util.Map;

/**
 * Assertions on a grouped metric query: one value per group key (see {@link MetricAssert#groupedBy}). Failure
 * messages show the query and every point. Not thread-safe.
 */
public final class GroupedMetricAssert {
    private final Map<String, Double> values;
    private final String description;

    GroupedMetricAssert(Map<String, Double> values, String description) {
        this.values = values;
        this.description = description;
    }

    /** The group {@code key} has exactly {@code value}. For sums of decimals prefer the {@link Offset} form. */
    public GroupedMetricAssert containsEntry(String key, double value) {
        asMap().containsEntry(key, value);
        return this;
    }

    /** The group {@code key} has a value within {@code offset} of {@code value}. */
    public GroupedMetricAssert containsEntry(String key, double value, Offset<Double> offset) {
        asMap().containsKey(key);
        Assertions.assertThat(values.get(key)).as(description + System.lineSeparator() + "group '" + key + "'")
                .isCloseTo(value, offset);
        return this;
    }

    public GroupedMetricAssert doesNotContainKey(String key) {
        asMap().doesNotContainKey(key);
        return this;
    }

    /** Exactly these groups have points. */
    public GroupedMetricAssert containsOnlyKeys(String... keys) {
        asMap().containsOnlyKeys(keys);
        return this;
    }

    public GroupedMetricAssert hasSize(int groups) {
        asMap().hasSize(groups);
        return this;
    }

    /** The values by group key as an AssertJ map, for anything else. */
    public MapAssert<String, Double> asMap() {
        return Assertions.assertThat(values).as(description);
    }
}
