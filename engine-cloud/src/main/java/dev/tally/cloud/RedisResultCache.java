package dev.tally.cloud;

import dev.tally.api.MetricDefinition;
import dev.tally.api.RejectedEvent;
import dev.tally.api.SchemaVersion;
import dev.tally.spi.*;
import dev.tally.spi.BackendConfig;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Placeholder: replaced by the real implementation. */
final class RedisResultCache implements ResultCache {
    RedisResultCache(RedisConnection redis) {
    }

    @Override
    public Optional<byte[]> get(String key) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        throw new UnsupportedOperationException("not built yet");
    }
}
