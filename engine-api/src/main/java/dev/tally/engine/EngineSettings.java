package dev.tally.engine;

import dev.tally.engine.aggregate.AggregatorSettings;
import dev.tally.spi.BackendConfig;

import java.time.Duration;

/**
 * Engine settings read from {@code tally.*} keys, each with a default.
 *
 * <ul>
 *   <li>{@code tally.windows.allowed-lateness} (5m), {@code tally.windows.retention} (24h),
 *       {@code tally.windows.max-combinations} (1000), {@code tally.aggregator.flush-interval} (100ms)</li>
 *   <li>{@code tally.dedup.ttl} (24h), {@code tally.cache.ttl} (60s), {@code tally.rejected.keep} (10000)</li>
 *   <li>{@code tally.ingest.parallel}: check and encode large batches on two threads (default: on with more
 *       than two cores; on two cores the aggregator needs the second one)</li>
 * </ul>
 */
public record EngineSettings(AggregatorSettings aggregator, Duration dedupTtl, Duration cacheTtl, int rejectedKeep,
                             boolean parallelIngest) {

    public static EngineSettings from(BackendConfig c) {
        AggregatorSettings d = AggregatorSettings.defaults();
        AggregatorSettings aggregator = new AggregatorSettings(
                c.duration("tally.windows.allowed-lateness", d.allowedLateness()),
                c.duration("tally.windows.retention", d.retention()),
                (int) c.longValue("tally.windows.max-combinations", d.maxCombinations()),
                c.duration("tally.aggregator.flush-interval", d.flushInterval()),
                d.pollBatch());
        return new EngineSettings(aggregator,
                c.duration("tally.dedup.ttl", Duration.ofHours(24)),
                c.duration("tally.cache.ttl", Duration.ofSeconds(60)),
                (int) c.longValue("tally.rejected.keep", 10_000),
                c.bool("tally.ingest.parallel", Runtime.getRuntime().availableProcessors() > 2));
    }
}
