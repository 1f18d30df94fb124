package dev.tally.engine.aggregate;

import java.time.Duration;

/**
 * @param allowedLateness how far behind a project's watermark an event may be and still update its window
 * @param retention       how long real-time windows are kept
 * @param maxCombinations distinct dimension combinations per metric and window before {@code __other__}
 * @param flushInterval   longest time between window-store flushes while events keep arriving
 * @param pollBatch       records read per poll
 */
public record AggregatorSettings(Duration allowedLateness, Duration retention, int maxCombinations,
                                 Duration flushInterval, int pollBatch) {
    public static AggregatorSettings defaults() {
        return new AggregatorSettings(Duration.ofMinutes(5), Duration.ofHours(24), 1000, Duration.ofMillis(100),
                8192);
    }
}
