package dev.tally.cloud;

import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.testkit.cloud.PartialBackend;

import java.time.InstantSource;
import java.util.Map;

/**
 * Test only: the Redis parts of the cloud backend (dedup index, window store, result cache) as a {@link Backend},
 * for their contract suites. It sits in the engine's package to reach the package-private components.
 */
public final class RedisTestBackend {
    private RedisTestBackend() {
    }

    public static Backend open(Map<String, String> settings, InstantSource clock) {
        BackendConfig config = BackendConfig.of(settings, clock);
        RedisConnection redis = RedisConnection.open(config, CloudBackend.namespace(config));
        return new PartialBackend().dedup(new RedisDedupIndex(redis, config)).windows(new RedisWindowStore(redis, config))
                .cache(new RedisResultCache(redis)).closing(redis);
    }
}
