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
final class RedisWindowStore implements WindowStore {
    RedisWindowStore(RedisConnection redis, BackendConfig config) {
    }

    @Override
    public void putAll(Map<WindowKey, Aggregate> values, Checkpoint checkpoint) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<Aggregate> get(WindowKey key) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<WindowStore.Window> range(String projectId, String metric, WindowSize size, long from, long to) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<Checkpoint> checkpoint(String consumer) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long version(String projectId) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void expireBefore(Instant cutoff) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void rewind(Instant from, Checkpoint checkpoint) {
        throw new UnsupportedOperationException("not built yet");
    }
}
