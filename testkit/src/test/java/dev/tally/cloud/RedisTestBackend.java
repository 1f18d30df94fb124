package dev.tally.cloud;

import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;

import java.time.InstantSource;
import java.util.Map;

/**
 * Test only: the Redis parts of the cloud backend (dedup index, window store, result cache) as a {@link Backend},
 * while the other cloud components are still being built; every other part throws. It sits in the engine's
 * package to reach the package-private components. Once {@link CloudBackend} opens with every part, the Redis
 * contract tests switch to it and this class goes.
 */
public final class RedisTestBackend implements Backend {
    private final RedisConnection redis;
    private final RedisDedupIndex dedup;
    private final RedisWindowStore windows;
    private final RedisResultCache cache;

    private RedisTestBackend(BackendConfig config) {
        redis = RedisConnection.open(config, CloudBackend.namespace(config));
        dedup = new RedisDedupIndex(redis, config);
        windows = new RedisWindowStore(redis, config);
        cache = new RedisResultCache(redis);
    }

    public static RedisTestBackend open(Map<String, String> settings, InstantSource clock) {
        return new RedisTestBackend(BackendConfig.of(settings, clock));
    }

    @Override
    public String name() {
        return "cloud-redis-parts";
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
    public ResultCache cache() {
        return cache;
    }

    @Override
    public EventLog eventLog() {
        throw notHere("event log");
    }

    @Override
    public Catalog catalog() {
        throw notHere("catalog");
    }

    @Override
    public Warehouse warehouse() {
        throw notHere("warehouse");
    }

    @Override
    public ObjectStore objects() {
        throw notHere("object store");
    }

    @Override
    public StreamRuntime streams() {
        throw notHere("stream runtime");
    }

    private static UnsupportedOperationException notHere(String part) {
        return new UnsupportedOperationException("the Redis-only test backend has no " + part);
    }

    @Override
    public void close() {
        redis.close();
    }
}
