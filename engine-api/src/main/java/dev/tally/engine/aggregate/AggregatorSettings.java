package dev.tally.engine.aggregate;

import java.time.Duration;

/**
 * @param allowedLateness how far behind a project's watermark an event may be and still update its window
 * @param retention       how long real-time windows are kept
 * @param maxCombinations distinct dimension combinations per metric and window before {@code __other__}
 * @param flushInterval   longest time between window-store flushes while events keep arriving
 * @param pollBatch       records read per poll
 * @param runtime         who aggregates: this engine, or a job outside it
 */
public record AggregatorSettings(Duration allowedLateness, Duration retention, int maxCombinations,
                                 Duration flushInterval, int pollBatch, Runtime runtime) {
    public static AggregatorSettings defaults() {
        return new AggregatorSettings(Duration.ofMinutes(5), Duration.ofHours(24), 1000, Duration.ofMillis(100),
                8192, Runtime.IN_PROCESS);
    }

    /** These settings with {@code runtime} instead. */
    public AggregatorSettings withRuntime(Runtime runtime) {
        return new AggregatorSettings(allowedLateness, retention, maxCombinations, flushInterval, pollBatch, runtime);
    }

    /** Where the real-time aggregation runs ({@code tally.aggregator.runtime}). */
    public enum Runtime {
        /** {@code in-process}: the engine's own {@link AggregationJob} consumes the log and writes the windows. */
        IN_PROCESS,
        /**
         * {@code external}: a stream processor outside the engine (the cloud profile's Flink job) writes the windows
         * and the {@value AggregationJob#CONSUMER} checkpoint; the engine only follows that checkpoint, so that
         * {@code awaitIdle} and the health figures still see the aggregation's progress.
         */
        EXTERNAL;

        public static Runtime parse(String key, String value) {
            return switch (value) {
                case "in-process" -> IN_PROCESS;
                case "external" -> EXTERNAL;
                default -> throw new dev.tally.api.ConfigurationException("setting '" + key
                        + "' must be in-process or external, got '" + value + "'");
            };
        }
    }
}
