package dev.tally.spi;

import java.util.List;
import java.util.Objects;

/**
 * Identifies one window value: project, metric, size, start and the values of the metric's dimensions
 * (in definition order; {@code null} values are stored as {@link #NULL_VALUE}). Immutable, hash cached.
 */
public final class WindowKey {
    /** Stand-in for an absent dimension value. */
    public static final String NULL_VALUE = "__none__";
    /** Bucket for dimension combinations past the per-window cap. */
    public static final String OTHER_VALUE = "__other__";

    private final String projectId;
    private final String metric;
    private final WindowSize size;
    private final long start;
    private final List<String> dimensions;
    private final int hash;

    public WindowKey(String projectId, String metric, WindowSize size, long start, List<String> dimensions) {
        this.projectId = Objects.requireNonNull(projectId);
        this.metric = Objects.requireNonNull(metric);
        this.size = Objects.requireNonNull(size);
        this.start = start;
        this.dimensions = List.copyOf(dimensions);
        this.hash = Objects.hash(projectId, metric, size, start, this.dimensions);
    }

    public String projectId() {
        return projectId;
    }

    public String metric() {
        return metric;
    }

    public WindowSize size() {
        return size;
    }

    public long start() {
        return start;
    }

    public List<String> dimensions() {
        return dimensions;
    }

    /** The storage form of {@link #dimensions()}: the count, then each value, separated by {@code \u001f}. */
    public String dimensionsKey() {
        return encodeDimensions(dimensions);
    }

    public static String encodeDimensions(List<String> values) {
        return values.size() + (values.isEmpty() ? "" : "\u001f" + String.join("\u001f", values));
    }

    public static List<String> decodeDimensions(String encoded) {
        int split = encoded.indexOf('\u001f');
        if (split < 0) {
            return List.of();
        }
        return List.of(encoded.substring(split + 1).split("\u001f", -1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowKey k && hash == k.hash && start == k.start && size == k.size
                && metric.equals(k.metric) && projectId.equals(k.projectId) && dimensions.equals(k.dimensions);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "metric:" + metric + ":" + size.wireName() + ":" + start + dimensions + "@" + projectId;
    }
}
