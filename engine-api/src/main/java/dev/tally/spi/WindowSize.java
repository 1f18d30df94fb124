package dev.tally.spi;

import java.time.Duration;

/** The real-time tumbling window sizes every metric is kept at. */
public enum WindowSize {
    ONE_MINUTE("1m", 60_000L),
    FIVE_MINUTES("5m", 300_000L),
    ONE_HOUR("1h", 3_600_000L);

    private final String wireName;
    private final long millis;

    WindowSize(String wireName, long millis) {
        this.wireName = wireName;
        this.millis = millis;
    }

    public String wireName() {
        return wireName;
    }

    public long millis() {
        return millis;
    }

    public Duration duration() {
        return Duration.ofMillis(millis);
    }

    /** Start of the window holding {@code epochMillis} (windows are aligned to the epoch, i.e. UTC). */
    public long startOf(long epochMillis) {
        return Math.floorDiv(epochMillis, millis) * millis;
    }

    public static WindowSize parse(String wireName) {
        for (WindowSize s : values()) {
            if (s.wireName.equals(wireName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown window size " + wireName);
    }
}
