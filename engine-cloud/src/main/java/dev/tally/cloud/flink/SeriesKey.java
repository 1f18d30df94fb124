package dev.tally.cloud.flink;

/**
 * The key the windows are kept by: one metric of one project at one combination of dimension values
 * ({@link dev.tally.spi.WindowKey#dimensionsKey()} form). A record, so its hash code is stable across JVMs, as Flink
 * needs for a key.
 */
public record SeriesKey(String projectId, String metric, String dimensions) {
}
