package dev.tally.cloud;

import dev.tally.spi.BackendConfig;

/** Placeholder: replaced by the real implementation. */
final class RedisConnection implements AutoCloseable {
    static RedisConnection open(BackendConfig config, String namespace) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() {
    }
}
