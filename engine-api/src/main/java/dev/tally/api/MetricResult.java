package dev.tally.api;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a {@link MetricQuery}.
 *
 * @param source    where the numbers came from: {@code realtime} windows, the {@code warehouse}, or both
 *                  ({@code stitched})
 * @param freshness every event ingested before this instant is included (as of the last aggregator flush)
 * @param notes     caveats, e.g. that some dimension values were folded into {@code __other__}
 */
public record MetricResult(String metric, Granularity granularity, String source, Instant freshness,
                           List<MetricPoint> points, List<String> notes) {
    public MetricResult {
        points = List.copyOf(points);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
