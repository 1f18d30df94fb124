package dev.tally.api;

import java.util.Locale;

/** How a metric folds events into a number. */
public enum Aggregation {
    COUNT, SUM, AVG, MIN, MAX, UNIQUE;

    /** {@code true} when the metric reads a numeric property. */
    public boolean needsProperty() {
        return this == SUM || this == AVG || this == MIN || this == MAX;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Aggregation parse(String name) {
        for (Aggregation a : values()) {
            if (a.wireName().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new InvalidRequestException("aggregation", "invalid_value",
                "unknown aggregation '" + name + "'; expected count, sum, avg, min, max or unique");
    }
}
