package dev.tally.cloud.flink;

import dev.tally.spi.WindowSize;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import java.util.Collection;
import java.util.List;

/**
 * Event-time tumbling windows whose size each {@link Contribution} names: one keyed window operator keeps the
 * 1m, 5m and 1h windows of a series side by side (epoch-aligned, as {@link WindowSize#startOf}). Fires on every
 * element by default ({@link FireOnEveryElement}).
 */
final class SeriesWindows extends WindowAssigner<Contribution, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private static final WindowSize[] SIZES = WindowSize.values();

    @Override
    public Collection<TimeWindow> assignWindows(Contribution c, long timestamp, WindowAssignerContext context) {
        return List.of(new TimeWindow(c.start(), c.start() + SIZES[c.size()].millis()));
    }

    @Override
    public Trigger<Contribution, TimeWindow> getDefaultTrigger() {
        return new FireOnEveryElement();
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }

    /** The window size of a window this assigner made. */
    static WindowSize sizeOf(TimeWindow window) {
        long length = window.getEnd() - window.getStart();
        for (WindowSize size : SIZES) {
            if (size.millis() == length) {
                return size;
            }
        }
        throw new IllegalArgumentException("not a Tally window: " + window);
    }
}
