package dev.tally.cloud.flink;

import dev.tally.spi.Aggregate;
import dev.tally.spi.WindowKey;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Names a fired window's value with its {@link WindowKey}, as the window store and the queries know it. */
final class EmitWindow extends ProcessWindowFunction<Aggregate, WindowValue, SeriesKey, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(SeriesKey series, Context context, Iterable<Aggregate> values, Collector<WindowValue> out) {
        TimeWindow window = context.window();
        WindowKey key = new WindowKey(series.projectId(), series.metric(), SeriesWindows.sizeOf(window),
                window.getStart(), WindowKey.decodeDimensions(series.dimensions()));
        for (Aggregate value : values) {
            out.collect(new WindowValue(key, value));
        }
    }
}
