package dev.tally.engine;

import dev.tally.api.BackupSummary;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.NotIdleException;
import dev.tally.api.ReplaySummary;
import dev.tally.api.RetentionSummary;
import dev.tally.api.TallyException;
import dev.tally.engine.aggregate.AggregationJob;
import dev.tally.engine.archive.ArchiveJob;
import dev.tally.engine.retention.RetentionJob;
import dev.tally.engine.retention.RetentionService;
import dev.tally.spi.Backend;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The engine's maintenance operations: retention (on demand and scheduled), backups and window replays. They
 * run one at a time, so a backup never copies files retention is moving. Thread-safe.
 */
final class Maintenance {
    private static final Duration REPLAY_START_TIMEOUT = Duration.ofSeconds(60);

    private final Backend backend;
    private final InstantSource clock;
    private final EngineSettings settings;
    private final Duration maxFutureSkew;
    private final AggregationJob aggregator;
    private final boolean archiving;
    private final RetentionService retention;
    private final ReentrantLock lock = new ReentrantLock(true);

    Maintenance(Backend backend, InstantSource clock, EngineSettings settings, Duration maxFutureSkew,
                AggregationJob aggregator, boolean archiving) {
        this.backend = backend;
        this.clock = clock;
        this.settings = settings;
        this.maxFutureSkew = maxFutureSkew;
        this.aggregator = aggregator;
        this.archiving = archiving;
        this.retention = new RetentionService(backend, settings.retention(), settings.aggregator().retention());
    }

    /** The scheduled runs, for the engine's stream runtime. */
    RetentionJob retentionJob() {
        return new RetentionJob(clock, settings.retention().interval(), settings.retention().scheduled(),
                this::runRetention);
    }

    RetentionSummary runRetention() {
        lock.lock();
        try {
            return retention.run(clock.instant(), consumed());
        } finally {
            lock.unlock();
        }
    }

    /** What every log consumer has durably committed (their stored checkpoints, not their progress in memory). */
    private LogPosition consumed() {
        LogPosition aggregated = backend.windows().checkpoint(AggregationJob.CONSUMER).map(Checkpoint::position)
                .orElse(LogPosition.NONE);
        return archiving ? aggregated.min(backend.warehouse().archivePosition(ArchiveJob.CONSUMER)) : aggregated;
    }

    BackupSummary backup(Path target) {
        if (target == null) {
            throw new InvalidRequestException("to", "required", "the backup directory is required");
        }
        if (!target.isAbsolute()) {
            throw new InvalidRequestException("to", "not_absolute", "the backup directory must be an absolute path, got '"
                    + target + "'");
        }
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new InvalidRequestException("to", "not_empty", "the backup directory " + target
                    + " must not exist yet or be an empty directory");
        }

        lock.lock();
        try {
            return backend.backup(target.normalize());
        } finally {
            lock.unlock();
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new InvalidRequestException("to", "unreadable", "cannot read the backup directory " + dir + ": "
                    + e.getMessage());
        }
    }

    /**
     * Rebuilds the windows from {@code from} on: moved down to a full hour (so no window is half dropped) and
     * up to the start of real-time retention; the log is re-read from the first record that could hold an
     * event that late (appended up to the future-timestamp allowance before it).
     */
    ReplaySummary replay(Instant from) {
        if (from == null) {
            throw new InvalidRequestException("from", "required", "the time to replay from is required");
        }
        Instant now = clock.instant();
        if (from.isAfter(now)) {
            throw new InvalidRequestException("from", "in_future", "cannot replay from " + from
                    + ", which is after the engine's current time " + now);
        }
        Instant earliest = now.minus(settings.aggregator().retention());
        Instant start = (from.isBefore(earliest) ? earliest : from).truncatedTo(ChronoUnit.HOURS);
        lock.lock();
        try {
            LogPosition after = backend.eventLog().positionAt(start.minus(maxFutureSkew));
            AggregationJob.Rewind rewind = aggregator.replay(start, after)
                    .get(REPLAY_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ReplaySummary(from, start, rewind.after().encode(), rewind.until().encode());
        } catch (TimeoutException e) {
            throw new NotIdleException("the aggregator did not start the replay within " + REPLAY_START_TIMEOUT);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TallyException t ? t
                    : new TallyException("the replay failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted while starting the replay", e);
        } finally {
            lock.unlock();
        }
    }
}
