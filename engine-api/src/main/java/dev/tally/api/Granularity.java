package dev.tally.api;

import java.time.Duration;

/** Bucket size of a metric query's points. {@link #ALL} is one point for the whole range. */
public enum Granularity {
    MINUTE("1m", Duration.ofMinutes(1)),
    FIVE_MINUTES("5m", Duration.ofMinutes(5)),
    HOUR("1h", Duration.ofHours(1)),
    DAY("1d", Duration.ofDays(1)),
    ALL("all", null);

    private final String wireName;
    private final Duration length;

    Granularity(String wireName, Duration length) {
        this.wireName = wireName;
        this.length = length;
    }

    public String wireName() {
        return wireName;
    }

    /** The nominal bucket length; {@code null} for {@link #ALL}. Days follow the query's time zone. */
    public Duration length() {
        return length;
    }

    public static Granularity parse(String name) {
        for (Granularity g : values()) {
            if (g.wireName.equals(name)) {
                return g;
            }
        }
        throw new InvalidRequestException("granularity", "invalid_value",
                "unknown granularity '" + name + "'; expected 1m, 5m, 1h, 1d or all");
    }
}
