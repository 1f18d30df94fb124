package dev.tally.spi;

import java.time.Duration;
import java.util.Optional;

/** Query results by key, each with a time to live. Losing entries is always safe. Thread-safe. */
public interface ResultCache {

    Optional<byte[]> get(String key);

    void put(String key, byte[] value, Duration ttl);
}
