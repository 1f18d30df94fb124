package dev.tally.cloud.flink;

import dev.tally.api.ConfigurationException;
import dev.tally.cloud.AggregationStores;
import dev.tally.cloud.EventTopics;
import dev.tally.engine.EngineSettings;
import dev.tally.engine.aggregate.AggregatorSettings;
import dev.tally.spi.BackendConfig;

import java.io.Serializable;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's settings: the cloud backend's {@code tally.*} settings (the same map a cloud engine is opened with),
 * checked once when the job is built, and shipped to every operator, which opens its own connections from them.
 *
 * <ul>
 *   <li>{@code tally.windows.allowed-lateness}, {@code tally.windows.retention}: as for the in-process aggregator
 *       (read by the engine's own {@link EngineSettings})</li>
 *   <li>{@code tally.flink.checkpoint-interval} (1s): how often Flink checkpoints; window values and the job's
 *       progress become visible at each checkpoint, so this is also the job's freshness</li>
 *   <li>{@code tally.flink.metric-reload-interval} (5s): how often metric definitions are read again</li>
 *   <li>{@code tally.flink.idle-timeout} (10s): a source split without records for this long stops holding the
 *       watermark back</li>
 *   <li>{@code tally.flink.postgres-pool-size} (2): PostgreSQL connections per operator instance</li>
 * </ul>
 *
 * Immutable and serializable.
 */
final class JobSettings implements Serializable {
    static final String CHECKPOINT_INTERVAL = "tally.flink.checkpoint-interval";
    static final String METRIC_RELOAD_INTERVAL = "tally.flink.metric-reload-interval";
    static final String IDLE_TIMEOUT = "tally.flink.idle-timeout";
    static final String POSTGRES_POOL_SIZE = "tally.flink.postgres-pool-size";
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> settings;
    final long latenessMillis;
    final long metricReloadMillis;
    final Duration checkpointInterval;
    final Duration idleTimeout;

    JobSettings(Map<String, String> settings) {
        this.settings = new HashMap<>(settings);
        BackendConfig config = config();
        AggregatorSettings aggregator = aggregator();
        latenessMillis = aggregator.allowedLateness().toMillis();
        checkpointInterval = positive(config, CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        metricReloadMillis = positive(config, METRIC_RELOAD_INTERVAL, Duration.ofSeconds(5)).toMillis();
        idleTimeout = positive(config, IDLE_TIMEOUT, Duration.ofSeconds(10));
        long pool = config.longValue(POSTGRES_POOL_SIZE, 2);
        if (pool < 1) {
            throw new ConfigurationException("setting '" + POSTGRES_POOL_SIZE + "' must be at least 1, got " + pool);
        }
        this.settings.put("tally.postgres.pool-size", Long.toString(pool));
        EventTopics.from(config); // fails now, naming the key, rather than in every source reader
    }

    private static Duration positive(BackendConfig config, String key, Duration defaultValue) {
        Duration d = config.duration(key, defaultValue);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigurationException("setting '" + key + "' must be positive, got " + config.get(key));
        }
        return d;
    }

    /** The settings as the cloud backend reads them; the job runs on real time, its events carry their times. */
    BackendConfig config() {
        return BackendConfig.of(settings, InstantSource.system());
    }

    /** The aggregator's settings as the engines read them (lateness, retention). */
    AggregatorSettings aggregator() {
        return EngineSettings.from(config()).aggregator();
    }

    EventTopics topics() {
        return EventTopics.from(config());
    }

    /** Connections to the stores, for one operator instance (close them in its {@code close()}). */
    AggregationStores openStores() {
        return AggregationStores.open(config());
    }
}
