package dev.tally.engine.retention;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;

import java.time.Duration;

/**
 * How long each kind of data is kept, and how often retention runs (on the engine clock).
 *
 * @param hot        archived raw events older than this move from the hot to the cold prefix
 *                   ({@code tally.retention.hot}, 30d)
 * @param raw        archived raw events older than this are deleted, with their {@code events_metadata} rows
 *                   ({@code tally.retention.raw}, as long as aggregates); never longer than {@code aggregates},
 *                   or rollups would rebuild expired aggregates from them
 * @param aggregates {@code metric_aggregates} rows older than this are deleted ({@code tally.retention.aggregates},
 *                   1826d: five years)
 * @param log        event log older than this, once every consumer has it, is dropped ({@code tally.retention.log},
 *                   7d); never shorter than the dedup TTL (the local dedup index is rebuilt from the log) nor the
 *                   real-time window retention (replays read it)
 * @param interval   time between scheduled runs ({@code tally.retention.interval}, 1h)
 * @param scheduled  whether the engine runs retention every {@code interval} ({@code tally.retention.scheduled},
 *                   true); off, only {@code Tally.runRetention()} / {@code tally retention run} do
 */
public record RetentionSettings(Duration hot, Duration raw, Duration aggregates, Duration log, Duration interval,
                                boolean scheduled) {
    public static final Duration DEFAULT_AGGREGATES = Duration.ofDays(1826);

    /**
     * Reads the {@code tally.retention.*} keys.
     *
     * @throws ConfigurationException for a non-positive duration or one of the bounds above
     */
    public static RetentionSettings from(BackendConfig c, Duration dedupTtl, Duration windowRetention) {
        Duration aggregates = positive(c, "tally.retention.aggregates", DEFAULT_AGGREGATES);
        RetentionSettings s = new RetentionSettings(
                positive(c, "tally.retention.hot", Duration.ofDays(30)),
                positive(c, "tally.retention.raw", aggregates),
                aggregates,
                positive(c, "tally.retention.log", Duration.ofDays(7)),
                positive(c, "tally.retention.interval", Duration.ofHours(1)),
                c.bool("tally.retention.scheduled", true));
        if (s.raw.compareTo(aggregates) > 0) {
            throw new ConfigurationException("tally.retention.raw (" + s.raw + ") must not exceed "
                    + "tally.retention.aggregates (" + aggregates + "): rollups would rebuild expired aggregates "
                    + "from the raw events");
        }
        Duration needed = dedupTtl.compareTo(windowRetention) >= 0 ? dedupTtl : windowRetention;
        if (s.log.compareTo(needed) < 0) {
            throw new ConfigurationException("tally.retention.log (" + s.log + ") must be at least " + needed
                    + ", the longer of tally.dedup.ttl (the dedup index is rebuilt from the log) and "
                    + "tally.windows.retention (replays rebuild windows from the log)");
        }
        return s;
    }

    private static Duration positive(BackendConfig c, String key, Duration defaultValue) {
        Duration d = c.duration(key, defaultValue);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigurationException("setting '" + key + "' must be positive, got " + d);
        }
        return d;
    }
}
