package dev.tally.cloud.flink;

import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Emits a window's whole value after every element (never purging): the sink then always holds each window's
 * latest value, and what it writes at a checkpoint covers every record read before that checkpoint, which is
 * what lets the job publish its log position there. The window operator still drops a window's state once the
 * watermark passes its end plus the allowed lateness.
 */
final class FireOnEveryElement extends Trigger<Contribution, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public TriggerResult onElement(Contribution element, long timestamp, TimeWindow window, TriggerContext ctx) {
        return TriggerResult.FIRE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
        return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) {
        // registers no timers, keeps no state
    }
}
