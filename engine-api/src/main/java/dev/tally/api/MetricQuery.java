package dev.tally.api;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A question about one metric over {@code [from, to)}: points of the given granularity, optionally split
 * by {@code groupBy} dimensions and restricted by equality {@code filters}. Day buckets (and hour buckets
 * in half-hour zones) start at midnight of {@code zone}.
 */
public record MetricQuery(String metric, Instant from, Instant to, Granularity granularity,
                          List<String> groupBy, Map<String, String> filters, ZoneId zone) {

    public MetricQuery {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        granularity = granularity == null ? Granularity.ALL : granularity;
        groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
        filters = filters == null ? Map.of() : Map.copyOf(filters);
        zone = zone == null ? ZoneOffset.UTC : zone;
    }

    public static Builder metric(String metric) {
        return new Builder(metric);
    }

    /** Builds {@link MetricQuery}s; not thread-safe. */
    public static final class Builder {
        private final String metric;
        private Instant from;
        private Instant to;
        private Granularity granularity = Granularity.ALL;
        private List<String> groupBy = List.of();
        private final Map<String, String> filters = new LinkedHashMap<>();
        private ZoneId zone = ZoneOffset.UTC;

        private Builder(String metric) {
            this.metric = metric;
        }

        public Builder between(Instant from, Instant to) {
            this.from = from;
            this.to = to;
            return this;
        }

        public Builder granularity(Granularity granularity) {
            this.granularity = granularity;
            return this;
        }

        public Builder groupBy(String... dimensions) {
            this.groupBy = List.of(dimensions);
            return this;
        }

        public Builder filter(String dimension, String value) {
            filters.put(dimension, value);
            return this;
        }

        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        public MetricQuery build() {
            return new MetricQuery(metric, from, to, granularity, groupBy, filters, zone);
        }
    }
}
