package dev.tally.engine.aggregate;

import java.time.Duration;
import java.time.Instant;

/**
 * The real-time aggregators' rule for events too late for their windows, shared by the in-process
 * {@link AggregationJob} and the cloud profile's Flink job so that both accept and reject the same events with the
 * same words. Immutable.
 */
public final class Lateness {
    private final Duration allowedLateness;
    private final Duration retention;
    private final long latenessMillis;
    private final long retentionMillis;

    public Lateness(AggregatorSettings settings) {
        this.allowedLateness = settings.allowedLateness();
        this.retention = settings.retention();
        this.latenessMillis = allowedLateness.toMillis();
        this.retentionMillis = retention.toMillis();
    }

    /**
     * Why an event is too late, or {@code null} when it is on time.
     *
     * @param eventMillis the event's time
     * @param watermark   the latest event time of its project seen before it, or {@link Long#MIN_VALUE} for none
     * @param nowMillis   the engine's time the decision is made at
     */
    public String why(long eventMillis, long watermark, long nowMillis) {
        if (watermark != Long.MIN_VALUE && eventMillis < watermark - latenessMillis) {
            return "event time " + Instant.ofEpochMilli(eventMillis) + " is more than " + allowedLateness
                    + " behind the project's watermark " + Instant.ofEpochMilli(watermark);
        }
        if (eventMillis < nowMillis - retentionMillis) {
            return "event time " + Instant.ofEpochMilli(eventMillis) + " is older than the real-time retention of "
                    + retention;
        }
        return null;
    }

    /** The violation message of a late event in the rejected listing. */
    public static String rejection(String why) {
        return why + "; the batch rollup counts it";
    }
}
