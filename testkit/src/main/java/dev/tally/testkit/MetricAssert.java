package dev.tally.testkit;

import dev.tally.api.Aggregation;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A metric query under construction and the assertions that run it:
 * <pre>{@code
 * assertThat(tally).metric("revenue").between(from, to).granularity(Granularity.HOUR).points().hasSize(3);
 * assertThat(tally).metric("revenue").filter("device", "mobile").total().isEqualTo(42.0);
 * assertThat(tally).metric("revenue").groupedBy("country").containsEntry("US", 150.0);
 * }</pre>
 * The query runs when an assertion is made ({@link #total()}, {@link #points()}, {@link #groupedBy}'s
 * assertions), after waiting for the engine to be idle. Failure messages name the query and list every point it
 * returned. Not thread-safe.
 */
public final class MetricAssert {
    private static final Duration DEFAULT_LOOKBACK = Duration.ofHours(24);

    private final TallyAssert tally;
    private final String metric;
    private Instant from;
    private Instant to;
    private Granularity granularity = Granularity.ALL;
    private final Map<String, String> filters = new LinkedHashMap<>();

    MetricAssert(TallyAssert tally, String metric) {
        this.tally = tally;
        this.metric = Objects.requireNonNull(metric, "metric");
    }

    /** Restricts the query to {@code [from, to)}. */
    public MetricAssert between(Instant from, Instant to) {
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        return this;
    }

    /** Bucket size of the points (default {@link Granularity#ALL}: one point per group for the whole range). */
    public MetricAssert granularity(Granularity granularity) {
        this.granularity = Objects.requireNonNull(granularity, "granularity");
        return this;
    }

    /** Only events whose {@code dimension} (e.g. {@code country}, {@code properties.plan}) is {@code value}. */
    public MetricAssert filter(String dimension, String value) {
        filters.put(dimension, value);
        return this;
    }

    /**
     * Splits the query by these dimensions and asserts on the value per group: keys are the dimension values, in
     * {@code dimensions} order joined by {@code "/"} ({@code "US"}, or {@code "US/mobile"} for country and device).
     */
    public GroupedMetricAssert groupedBy(String... dimensions) {
        if (dimensions.length == 0) {
            throw new IllegalArgumentException("groupedBy needs at least one dimension");
        }
        List<String> dims = List.of(dimensions);
        MetricResult result = run(granularity, dims);
        String description = describe(result, dims);
        Map<String, Double> byKey = new LinkedHashMap<>();
        for (MetricPoint p : result.points()) {
            String key = dims.stream().map(d -> p.dimensions().get(d)).map(String::valueOf)
                    .collect(Collectors.joining("/"));
            if (byKey.containsKey(key)) {
                throw new AssertionError(description + System.lineSeparator() + "has several points for group '" + key
                        + "' (one per " + granularity.wireName() + " bucket): assert on points() instead, or keep"
                        + " the default granularity ALL");
            }
            byKey.put(key, p.value());
        }
        return new GroupedMetricAssert(byKey, description);
    }

    /**
     * The metric's single value over the whole range (filters apply, granularity and grouping do not). With no
     * events, count, sum and unique metrics are 0; avg, min and max have no value ({@code null}).
     */
    public AbstractDoubleAssert<?> total() {
        MetricResult result = run(Granularity.ALL, List.of());
        Double value = result.points().isEmpty() ? emptyValue() : result.points().get(0).value();
        return Assertions.assertThat(value).as(describe(result, List.of()));
    }

    /** The points of the query (time order), as an AssertJ list; the description lists them all. */
    public ListAssert<MetricPoint> points() {
        MetricResult result = run(granularity, List.of());
        return Assertions.assertThat(result.points()).as(describe(result, List.of()));
    }

    /** Runs the query (after waiting for idle) and returns the raw result, for checks these assertions lack. */
    public MetricResult result() {
        return run(granularity, List.of());
    }

    private MetricResult run(Granularity g, List<String> groupBy) {
        tally.idle();
        Instant now = tally.tally().clock().instant();
        Instant start = from != null ? from : now.minus(DEFAULT_LOOKBACK);
        Instant end = to != null ? to : now.plus(tally.tally().limits().maxFutureSkew()).plusMillis(1);
        MetricQuery.Builder q = MetricQuery.metric(metric).between(start, end).granularity(g)
                .groupBy(groupBy.toArray(String[]::new));
        filters.forEach(q::filter);
        return tally.projectOperations().query(q.build());
    }

    private Double emptyValue() {
        Aggregation aggregation = tally.projectOperations().metrics().stream()
                .filter(m -> m.name().equals(metric)).map(MetricDefinition::aggregation).findFirst().orElse(null);
        return aggregation == Aggregation.COUNT || aggregation == Aggregation.SUM || aggregation == Aggregation.UNIQUE
                ? 0.0 : null;
    }

    private String describe(MetricResult result, List<String> groupBy) {
        StringBuilder s = new StringBuilder("metric '").append(metric).append("' of project '")
                .append(tally.projectOperations().projectId()).append("', granularity ")
                .append(result.granularity().wireName());
        if (from != null) {
            s.append(", [").append(from).append(", ").append(to).append(')');
        }
        if (!groupBy.isEmpty()) {
            s.append(", grouped by ").append(groupBy);
        }
        if (!filters.isEmpty()) {
            s.append(", filters ").append(filters);
        }
        s.append(", source ").append(result.source());
        String nl = System.lineSeparator();
        if (result.points().isEmpty()) {
            s.append(", no points");
        } else {
            s.append(", ").append(result.points().size()).append(" point(s):");
            for (MetricPoint p : result.points()) {
                s.append(nl).append("  ").append(p.timestamp());
                if (!p.dimensions().isEmpty()) {
                    s.append(' ').append(p.dimensions());
                }
                s.append(" = ").append(p.value());
            }
        }
        result.notes().forEach(n -> s.append(nl).append("  note: ").append(n));
        return s.toString();
    }
}
