package dev.tally.cloud;

import dev.tally.spi.ResultCache;
import io.lettuce.core.SetArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Query results in Redis under {@code NS:cache:<key>}, each with a real Redis TTL ({@code SET … PX}), so every
 * engine sharing the Redis reuses the others' results. Cache keys carry the window store's
 * {@linkplain dev.tally.spi.WindowStore#version version}, so a result is never served after the values under it
 * changed; the TTL only bounds staleness of historical parts and memory. TTLs run on the server's clock: the
 * contract leaves cache expiry out because losing an entry is always safe, which is also why a Redis failure
 * here is logged and turned into a miss rather than failing the query. Thread-safe.
 */
final class RedisResultCache implements ResultCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResultCache.class);
    private final RedisConnection redis;

    RedisResultCache(RedisConnection redis) {
        this.redis = redis;
    }

    private byte[] key(String key) {
        return redis.key("cache:" + key);
    }

    /** A miss when Redis fails: the caller computes the result instead (the failure is logged). */
    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.ofNullable(redis.await(redis.commands().get(key(key))));
        } catch (CloudStorageException e) {
            LOG.warn("result cache read failed, computing the result instead: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Best effort: a result that cannot be cached is only logged, since losing entries is always safe. */
    @Override
    public void put(String key, byte[] value, Duration ttl) {
        try {
            redis.await(redis.commands().set(key(key), value, SetArgs.Builder.px(Math.max(1, ttl.toMillis()))));
        } catch (CloudStorageException e) {
            LOG.warn("result cache write failed, the result is not cached: {}", e.getMessage());
        }
    }
}
