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
final class KafkaEventLog implements EventLog, AutoCloseable {
    KafkaEventLog(BackendConfig config, String namespace) {
    }

    @Override
    public void append(String projectId, List<LogRecord> records) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public LogPosition endPosition() {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public EventLog.Subscription subscribe(String consumer, LogPosition after) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public LogPosition positionAt(Instant time) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long truncate(LogPosition consumed, Instant appendedBefore) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void close() {
    }
}
