package dev.tally.cloud.flink;

/**
 * An event that came too late for its real-time windows (the side output of {@link RouteEvents}); recorded in
 * the rejected listing by {@link RejectionSink}. The batch rollup still counts it.
 *
 * @param why            the violation message ({@link dev.tally.engine.aggregate.Lateness#rejection})
 * @param recordedMillis when it was judged late: the engine clock at its append
 */
public record LateEvent(String projectId, String eventId, String eventType, String why, long recordedMillis) {
}
