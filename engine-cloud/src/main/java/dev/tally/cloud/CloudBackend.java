package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.InProcessStreamRuntime;
import dev.tally.spi.Leadership;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tally.cloud.flink.FlinkJobRunner;
import dev.tally.cloud.flink.FlinkSettings;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The cloud profile: the event log on Kafka, dedup index, real-time windows and result cache on Redis, catalog
 * and warehouse on PostgreSQL, raw-event archive on S3 (or any S3-compatible store). Several engines (one per
 * {@code tally serve} instance) may share one set of stores.
 *
 * <p>Appends the event log cannot take (Kafka unreachable) are acknowledged into a durable spool under
 * {@code tally.data-dir} and delivered when it answers again ({@link SpoolingEventLog}). Of several engines on one
 * set of stores, one runs the background jobs at a time ({@link GroupLeadership}); the others serve ingest and
 * queries.
 *
 * <p>{@code tally.cloud.namespace} (optional, {@code [a-z0-9_]{1,30}}) scopes everything this backend stores: Kafka
 * topics are prefixed {@code NAMESPACE.}, Redis keys {@code NAMESPACE:}, PostgreSQL tables live in schema
 * {@code NAMESPACE} and S3 keys under {@code NAMESPACE/}. One set of servers can so hold several independent Tally
 * deployments (or one per test).
 */
public final class CloudBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBackend.class);
    static final String NAMESPACE = "tally.cloud.namespace";
    static final String ROLE = "tally.cloud.role";
    private static final Pattern NAMESPACE_PATTERN = Pattern.compile("[a-z0-9_]{1,30}");

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final PostgresDatabase postgres;
    private final PostgresCatalog catalog;
    private final PostgresWarehouse warehouse;
    private final RedisConnection redis;
    private final RedisDedupIndex dedup;
    private final RedisWindowStore windows;
    private final RedisResultCache cache;
    private final SpoolingEventLog log;
    private final S3ObjectStore objects;
    private final Leadership leadership;
    private final StreamRuntime streams;
    private final FlinkSettings flink;
    private final StreamRuntime.Handle flinkJob;

    CloudBackend(BackendConfig config) {
        String namespace = namespace(config);
        try {
            postgres = remember(PostgresDatabase.open(config, namespace));
            catalog = new PostgresCatalog(postgres);
            warehouse = new PostgresWarehouse(postgres);
            redis = remember(RedisConnection.open(config, namespace));
            dedup = new RedisDedupIndex(redis, config);
            windows = new RedisWindowStore(redis, config);
            cache = new RedisResultCache(redis);
            KafkaEventLog kafka = remember(new KafkaEventLog(config, namespace, catalog::knownMetricsVersion));
            log = remember(new SpoolingEventLog(kafka, config.dataDir().resolve("log-spool")));
            objects = remember(new S3ObjectStore(config, namespace));
            leadership = ingestOnly(config) ? Leadership.NEVER
                    : remember(new GroupLeadership(kafka.settings(), namespace));
            flink = FlinkSettings.from(config);
            StreamRuntime inProcess = new InProcessStreamRuntime(leadership);
            if (flink.mode() == FlinkSettings.Mode.NONE) {
                streams = inProcess;
                flinkJob = null;
            } else {
                streams = new FlinkAggregatedRuntime(inProcess);
                flinkJob = inProcess.start(flinkRunner(flink, config));
                opened.push(flinkJob); // closed first: the job stops before the stores it writes to
            }
        } catch (RuntimeException | Error e) {
            closeAll();
            throw e;
        }
        LOG.info("cloud backend open{}{}{}", namespace.isEmpty() ? "" : " in namespace " + namespace,
                leadership == Leadership.NEVER ? " (role ingest: never runs the background jobs)" : "",
                flink.mode() == FlinkSettings.Mode.NONE ? "" : " (aggregation: Flink job, "
                        + flink.mode().name().toLowerCase(java.util.Locale.ROOT) + ", run by the leader)");
    }

    /** The runner of the Flink job (Flink's classes are loaded from here on only, and only when they are there). */
    private static FlinkJobRunner flinkRunner(FlinkSettings flink, BackendConfig config) {
        try {
            Class.forName("org.apache.flink.streaming.api.environment.StreamExecutionEnvironment", false,
                    CloudBackend.class.getClassLoader());
            Class.forName("org.apache.flink.connector.kafka.source.KafkaSource", false,
                    CloudBackend.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigurationException("setting '" + FlinkSettings.MODE + "' is " + flink.mode().name()
                    .toLowerCase(java.util.Locale.ROOT) + " but Flink is not on the classpath: add "
                    + "org.apache.flink:flink-streaming-java, flink-clients, flink-connector-base and "
                    + "flink-connector-kafka (tally.jar has them)");
        }
        Map<String, String> settings = new HashMap<>();
        config.keys().forEach(k -> settings.put(k, config.get(k)));
        return new FlinkJobRunner(flink, settings);
    }

    /** The in-process runtime for the other background jobs, telling the engine that Flink aggregates. */
    private record FlinkAggregatedRuntime(StreamRuntime inProcess) implements StreamRuntime {
        @Override
        public Handle start(StreamJob job) {
            return inProcess.start(job);
        }

        @Override
        public boolean aggregatesExternally() {
            return true;
        }
    }

    /** How this engine runs the Flink job ({@code tally.flink.*}). */
    public FlinkSettings flinkSettings() {
        return flink;
    }

    /** The configured namespace, or {@code ""} for none. */
    static String namespace(BackendConfig config) {
        String ns = config.string(NAMESPACE).orElse("");
        if (!ns.isEmpty() && !NAMESPACE_PATTERN.matcher(ns).matches()) {
            throw new ConfigurationException("setting '" + NAMESPACE + "' must match " + NAMESPACE_PATTERN.pattern()
                    + ", got '" + ns + "'");
        }
        return ns;
    }

    /**
     * {@code tally.cloud.role}: {@code all} (the default) joins the leader election and runs the background jobs
     * when elected; {@code ingest} never does — a dedicated ingest and query tier that follows the leader's
     * checkpoints, so that the CPU of aggregation and archiving sits elsewhere.
     */
    static boolean ingestOnly(BackendConfig config) {
        String role = config.string(ROLE).orElse("all");
        return switch (role) {
            case "all" -> false;
            case "ingest" -> true;
            default -> throw new ConfigurationException("setting '" + ROLE + "' must be 'all' or 'ingest', got '"
                    + role + "'");
        };
    }

    /** Redis requests this engine has waited for (a pipeline counts once): for benchmarks and capacity planning. */
    public long redisRoundTrips() {
        return redis.roundTrips();
    }

    /** Whether this instance runs the background jobs now (one instance of those sharing the stores does). */
    public boolean leadsBackgroundJobs() {
        return leadership.isLeader();
    }

    private <T extends AutoCloseable> T remember(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public String name() {
        return "cloud";
    }

    @Override
    public EventLog eventLog() {
        return log;
    }

    @Override
    public DedupIndex dedup() {
        return dedup;
    }

    @Override
    public WindowStore windows() {
        return windows;
    }

    @Override
    public Catalog catalog() {
        return catalog;
    }

    @Override
    public Warehouse warehouse() {
        return warehouse;
    }

    @Override
    public ObjectStore objects() {
        return objects;
    }

    @Override
    public ResultCache cache() {
        return cache;
    }

    @Override
    public StreamRuntime streams() {
        return streams;
    }

    @Override
    public void close() {
        closeAll();
    }

    /** Closes what was opened, newest first; keeps going past failures and rethrows the first. */
    private void closeAll() {
        RuntimeException first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new CloudStorageException("close failed", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
