package dev.tally.cloud;

import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.LogPosition;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;

/**
 * The stores a stream processor outside the engine (the Flink aggregation job) writes to: the Redis window store,
 * and the PostgreSQL catalog (metric definitions) and warehouse (the rejected listing), in the namespace of
 * {@code tally.cloud.namespace}. Opens only these, not a whole {@link CloudBackend}: a processor needs no Kafka
 * producer, no S3 client and takes no part in the engines' leader election.
 *
 * <p>Thread-safe, like the stores it holds. {@link #close()} closes the connections.
 */
public final class AggregationStores implements AutoCloseable {
    private final PostgresDatabase postgres;
    private final RedisConnection redis;
    private final PostgresCatalog catalog;
    private final PostgresWarehouse warehouse;
    private final RedisWindowStore windows;

    private AggregationStores(PostgresDatabase postgres, RedisConnection redis, BackendConfig config) {
        this.postgres = postgres;
        this.redis = redis;
        this.catalog = new PostgresCatalog(postgres);
        this.warehouse = new PostgresWarehouse(postgres);
        this.windows = new RedisWindowStore(redis, config);
    }

    /**
     * Connects with the cloud backend's settings ({@code tally.postgres.*}, {@code tally.redis.*},
     * {@code tally.windows.retention}, {@code tally.cloud.namespace}).
     *
     * @throws dev.tally.api.ConfigurationException for a missing or wrong setting, naming it
     * @throws CloudStorageException                when a store cannot be reached
     */
    public static AggregationStores open(BackendConfig config) {
        String namespace = CloudBackend.namespace(config);
        PostgresDatabase postgres = PostgresDatabase.open(config, namespace);
        try {
            RedisConnection redis = RedisConnection.open(config, namespace);
            try {
                return new AggregationStores(postgres, redis, config);
            } catch (RuntimeException e) {
                redis.close();
                throw e;
            }
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    public WindowStore windows() {
        return windows;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The catalog's metrics version now (a database read); see {@link dev.tally.jdbc.JdbcCatalog#metricsVersion()}. */
    public long metricsVersion() {
        return catalog.metricsVersion();
    }

    public Warehouse warehouse() {
        return warehouse;
    }

    /** Lists late events as rejected, each once however often it is passed ({@link PostgresWarehouse#recordLateOnce}). */
    public void recordLateOnce(java.util.List<dev.tally.api.RejectedEvent> late) {
        warehouse.recordLateOnce(late);
    }

    /**
     * Overwrites whole-window values (the store keeps copies), leaving every checkpoint as it is; see
     * {@link #advanceCheckpoint} for recording progress.
     */
    public void putWindows(java.util.Map<dev.tally.spi.WindowKey, dev.tally.spi.Aggregate> values) {
        windows.putValues(values);
    }

    /**
     * Raises the stored position of {@code consumer} to {@code reached} in the partitions it names, leaving the
     * others: for parallel readers that each own some partitions. Call it only once everything up to
     * {@code reached} is written to the window store.
     */
    public void advanceCheckpoint(String consumer, LogPosition reached) {
        windows.advanceCheckpoint(consumer, reached);
    }

    @Override
    public void close() {
        try {
            redis.close();
        } finally {
            postgres.close();
        }
    }
}
