package dev.tally.cloud.flink;

/**
 * What one event adds to one window of one series: produced by {@link RouteEvents} with the engine's
 * {@link dev.tally.engine.aggregate.MetricPlan} and folded into the window's aggregate by {@link ContributionAggregate}.
 *
 * @param series the window's series: project, metric and dimension values
 * @param size   {@link dev.tally.spi.WindowSize#ordinal()} of the window
 * @param start  the window's start (epoch millis)
 * @param user   the user id a distinct count adds, or {@code null}
 * @param value  the numeric value sum/avg/min/max add, or {@code NaN}
 */
public record Contribution(SeriesKey series, int size, long start, String user, double value) {
}
