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
final class S3ObjectStore implements ObjectStore, AutoCloseable {
    S3ObjectStore(BackendConfig config, String namespace) {
    }

    @Override
    public void put(String key, byte[] content) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void putFile(String key, Path source) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<byte[]> get(String key) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public SeekableByteChannel open(String key) throws IOException {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<ObjectStore.ObjectInfo> list(String prefix) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void move(String fromKey, String toKey) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void delete(String key) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() {
    }
}
