package dev.tally.engine;

import dev.tally.engine.aggregate.AggregatorSettings;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.retention.RetentionSettings;
import dev.tally.engine.sql.SqlSettings;
import dev.tally.spi.BackendConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Engine settings read from {@code tally.*} keys, each with a default.
 *
 * <ul>
 *   <li>{@code tally.windows.allowed-lateness} (5m), {@code tally.windows.retention} (24h),
 *       {@code tally.windows.max-combinations} (1000), {@code tally.aggregator.flush-interval} (100ms),
 *       {@code tally.aggregator.runtime} ({@code in-process}, or {@code external} when a job outside the engine
 *       aggregates, see {@link AggregatorSettings.Runtime})</li>
 *   <li>{@code tally.dedup.ttl} (24h), {@code tally.cache.ttl} (60s), {@code tally.rejected.keep} (10000)</li>
 *   <li>{@code tally.archive.enabled} (true), {@code tally.archive.roll-interval} (1m),
 *       {@code tally.archive.max-file-size} (128MB), {@code tally.archive.event-metadata} (false),
 *       {@code tally.archive.spool-dir} ({@code spool} in {@code tally.data-dir}, else a temporary
 *       directory)</li>
 *   <li>{@code tally.rollup.grace}: how long after an hour ends its rollup waits for late events (allowed
 *       lateness + the archive's roll interval + 1m by default)</li>
 *   <li>{@code tally.retention.hot} (30d), {@code tally.retention.raw} (as {@code aggregates}),
 *       {@code tally.retention.aggregates} (1826d), {@code tally.retention.log} (7d),
 *       {@code tally.retention.interval} (1h), {@code tally.retention.scheduled} (true): see
 *       {@link RetentionSettings}</li>
 *   <li>{@code tally.ingest.parallel}: check and encode large batches on two threads (default: on with more
 *       than two cores; on two cores the aggregator needs the second one)</li>
 *   <li>{@code tally.sql.*}: limits of ad-hoc SQL, see {@link SqlSettings}</li>
 * </ul>
 */
public record EngineSettings(AggregatorSettings aggregator, ArchiveSettings archive, Duration rollupGrace,
                             Duration dedupTtl, Duration cacheTtl, int rejectedKeep, boolean parallelIngest,
                             SqlSettings sql, RetentionSettings retention) {

    /** Every key {@link #from} reads (and the SQL and retention settings it delegates to). */
    public static final java.util.List<String> KEYS = java.util.List.of(
            "tally.windows.allowed-lateness", "tally.windows.retention", "tally.windows.max-combinations",
            "tally.aggregator.flush-interval", "tally.aggregator.runtime", "tally.dedup.ttl", "tally.cache.ttl", "tally.rejected.keep",
            "tally.archive.enabled", "tally.archive.roll-interval", "tally.archive.max-file-size",
            "tally.archive.event-metadata", "tally.archive.spool-dir", "tally.rollup.grace",
            "tally.retention.hot", "tally.retention.raw", "tally.retention.aggregates", "tally.retention.log",
            "tally.retention.interval", "tally.retention.scheduled", "tally.ingest.parallel",
            "tally.sql.cache-dir", "tally.sql.max-concurrent", "tally.sql.max-length", "tally.sql.max-queued",
            "tally.sql.max-result-chars", "tally.sql.max-rows", "tally.sql.memory-limit", "tally.sql.queue-wait",
            "tally.sql.threads", "tally.sql.timeout", "tally.data-dir");

    public static EngineSettings from(BackendConfig c) {
        AggregatorSettings d = AggregatorSettings.defaults();
        AggregatorSettings aggregator = new AggregatorSettings(
                c.duration("tally.windows.allowed-lateness", d.allowedLateness()),
                c.duration("tally.windows.retention", d.retention()),
                (int) c.longValue("tally.windows.max-combinations", d.maxCombinations()),
                c.duration("tally.aggregator.flush-interval", d.flushInterval()),
                d.pollBatch(),
                AggregatorSettings.Runtime.parse("tally.aggregator.runtime",
                        c.string("tally.aggregator.runtime").orElse("in-process")));
        ArchiveSettings a = ArchiveSettings.defaults();
        // Spool beside the data when there is a data directory: publishing is then a rename on one file system,
        // and a large file is never staged in a RAM-backed /tmp.
        String spool = c.string("tally.archive.spool-dir")
                .or(() -> c.string("tally.data-dir").map(dir -> Path.of(dir).resolve("spool").toString()))
                .orElse(null);
        ArchiveSettings archive = new ArchiveSettings(
                c.bool("tally.archive.enabled", a.enabled()),
                c.duration("tally.archive.roll-interval", a.rollInterval()),
                c.bytes("tally.archive.max-file-size", a.maxFileBytes()),
                a.rowGroupBytes(),
                a.maxOpenFiles(),
                c.bool("tally.archive.event-metadata", a.eventMetadata()),
                spool == null || spool.isBlank() ? null : Path.of(spool));
        Duration grace = c.duration("tally.rollup.grace",
                aggregator.allowedLateness().plus(archive.rollInterval()).plusMinutes(1));
        Duration dedupTtl = c.duration("tally.dedup.ttl", Duration.ofHours(24));
        return new EngineSettings(aggregator, archive, grace, dedupTtl,
                c.duration("tally.cache.ttl", Duration.ofSeconds(60)),
                (int) c.longValue("tally.rejected.keep", 10_000),
                c.bool("tally.ingest.parallel", Runtime.getRuntime().availableProcessors() > 2),
                SqlSettings.from(c),
                RetentionSettings.from(c, dedupTtl, aggregator.retention()));
    }
}
