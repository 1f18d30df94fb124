package dev.tally.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tally.spi.ResultCache;

import java.time.Duration;
import java.util.Optional;

/** Query results in a Caffeine cache bounded by bytes, each entry with its own time to live. Thread-safe. */
final class CaffeineResultCache implements ResultCache {
    private final Cache<String, Entry> cache;

    private record Entry(byte[] value, long ttlNanos) {
    }

    CaffeineResultCache(long maxBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Entry e) -> k.length() * 2 + e.value.length + 64)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry e, long currentTime) {
                        return e.ttlNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
                        return e.ttlNanos;
                    }

                    @Override
                    public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    @Override
    public Optional<byte[]> get(String key) {
        Entry e = cache.getIfPresent(key);
        return e == null ? Optional.empty() : Optional.of(e.value);
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        cache.put(key, new Entry(value, ttl.toNanos()));
    }
}
