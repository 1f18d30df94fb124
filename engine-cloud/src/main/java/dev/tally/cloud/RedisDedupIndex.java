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
final class RedisDedupIndex implements DedupIndex {
    RedisDedupIndex(RedisConnection redis, BackendConfig config) {
    }

    @Override
    public boolean[] markIfAbsent(String projectId, List<String> eventIds, Instant expiresAt) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void unmark(String projectId, List<String> eventIds) {
        throw new UnsupportedOperationException("not built yet");
    }
}
