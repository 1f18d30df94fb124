package dev.tally.engine.archive;

import dev.tally.engine.LogProgress;
import dev.tally.engine.codec.EventCodec;
import dev.tally.engine.codec.PropertyText;
import dev.tally.engine.codec.StoredEvent;
import dev.tally.spi.Backend;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.spi.Warehouse.EventMetadata;
import dev.tally.spi.Warehouse.StorageClass;
import org.apache.parquet.hadoop.ParquetWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archiver: a second consumer of the event log that writes raw events as Snappy Parquet files, one per
 * (project, UTC hour) partition and roll, publishes them through the {@code ObjectStore} and commits them
 * (manifest rows and its log position, in one warehouse transaction).
 *
 * <p>Crash safety: files are written to a local spool, published atomically, then committed. After a crash
 * the job resumes from the committed position; part numbers come from the committed manifest, so redone
 * files take the names of any published-but-uncommitted ones (overwriting them) — no gap, no duplicate row.
 * {@code events_metadata} rows are written in batches while files fill (MERGE by event id, so a redo
 * rewrites the same rows).
 *
 * <p>Runs on one thread of a {@link StreamRuntime}; {@link #awaitPosition} may be called from any thread.
 */
public final class ArchiveJob implements StreamRuntime.StreamJob {
    public static final String CONSUMER = "archiver";
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveJob.class);
    private static final int POLL_BATCH = 8192;
    private static final int METADATA_BATCH = 20_000;
    private static final HexFormat HEX = HexFormat.of();

    private final Backend backend;
    private final InstantSource clock;
    private final ArchiveSettings settings;
    private final Path spool;
    private final Runnable committedListener;

    private EventLog.Subscription subscription;
    private LogPosition position = LogPosition.NONE;
    private final Map<Partition, OpenFile> open = new LinkedHashMap<>();
    private final Map<Partition, Integer> nextPart = new HashMap<>();
    private final List<EventMetadata> metadata = new ArrayList<>();
    private long firstOpenedAt;
    private boolean importedPending;
    private final MessageDigest sha256;

    private final LogProgress committed = new LogProgress();
    private volatile boolean flushRequested;

    /**
     * @param committedListener called on the job's thread after a commit that archived imported (backfill)
     *                          events, so rollups can run at once
     */
    public ArchiveJob(Backend backend, InstantSource clock, ArchiveSettings settings, Runnable committedListener) {
        this.backend = backend;
        this.clock = clock;
        this.settings = settings;
        this.committedListener = committedListener;
        try {
            this.spool = settings.spoolDir() != null
                    ? Files.createDirectories(settings.spoolDir())
                    : Files.createTempDirectory("tally-archive-");
            clearSpool(); // leftovers of a crash: their ranges are redone from the committed position
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the archive spool directory", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return "tally-archiver";
    }

    /** Everything up to this position is archived and committed. */
    public LogPosition committedPosition() {
        return committed.reached();
    }

    /** Asks the job to close and commit its open files soon (e.g. after an import). */
    public void requestFlush() {
        flushRequested = true;
    }

    /**
     * Waits until everything up to {@code target} is archived, asking the job to roll its files now.
     *
     * @return {@code false} on timeout
     */
    public boolean awaitPosition(LogPosition target, Duration timeout) throws InterruptedException {
        return committed.await(target, timeout, this::requestFlush);
    }

    @Override
    public boolean step() throws IOException {
        if (subscription == null) {
            openSubscription();
        }
        LogBatch batch = subscription.poll(POLL_BATCH, pending() ? Duration.ofMillis(10) : Duration.ofMillis(50));
        for (LogRecord r : batch.records()) {
            StoredEvent se;
            try {
                se = EventCodec.decode(r.payload());
            } catch (RuntimeException e) {
                LOG.error("not archiving an unreadable log record of project {}: {}", r.projectId(), e.toString());
                continue;
            }
            write(se);
        }
        if (!batch.isEmpty()) {
            position = batch.position();
        }
        if (shouldRoll(batch.records().size() < POLL_BATCH)) {
            roll();
        }
        return !batch.isEmpty();
    }

    private boolean pending() {
        return !open.isEmpty() || !position.equals(committed.reached());
    }

    private boolean shouldRoll(boolean caughtUp) throws IOException {
        if (!pending()) {
            flushRequested = false;
            return false;
        }
        if (open.isEmpty()) {
            return true; // only unreadable records: move the position on
        }
        if (flushRequested && caughtUp) {
            return true;
        }
        if (System.nanoTime() - firstOpenedAt >= settings.rollInterval().toNanos() || open.size() > settings.maxOpenFiles()) {
            return true;
        }
        for (OpenFile f : open.values()) {
            if (f.writer.getDataSize() >= settings.maxFileBytes()) {
                return true;
            }
        }
        return false;
    }

    private void write(StoredEvent se) throws IOException {
        long ts = se.event().timestamp().toEpochMilli();
        Partition p = new Partition(se.projectId(), ArchiveLayout.hourOf(ts));
        OpenFile f = open.get(p);
        if (f == null) {
            f = openFile(p);
        }
        f.writer.write(se);
        f.rows++;
        f.minTs = Math.min(f.minTs, ts);
        f.maxTs = Math.max(f.maxTs, ts);
        importedPending |= se.imported();
        if (settings.eventMetadata()) {
            metadata.add(new EventMetadata(se.event().eventId(), se.event().userId(), se.event().eventType(),
                    se.projectId(), se.event().timestamp(), se.ingestedAt(), f.key, f.dayPartition,
                    hash(se.event().properties()),
                    "processed"));
            if (metadata.size() >= METADATA_BATCH) {
                flushMetadata();
            }
        }
    }

    private OpenFile openFile(Partition p) throws IOException {
        Integer part = nextPart.get(p);
        if (part == null) {
            int max = -1;
            Instant hour = Instant.ofEpochMilli(p.hour);
            for (ArchivedFile f : backend.warehouse().archivedFiles(p.projectId, hour, hour.plusSeconds(3600))) {
                if (f.hour().equals(hour)) {
                    max = Math.max(max, ArchiveLayout.partOf(f.key()));
                }
            }
            part = max + 1;
        }
        nextPart.put(p, part + 1);
        String key = ArchiveLayout.key(p.projectId, Instant.ofEpochMilli(p.hour), part, StorageClass.HOT);
        Path tmp = spool.resolve(p.projectId + "-" + p.hour + "-" + part + ".parquet");
        OpenFile f = new OpenFile(key, ArchiveLayout.dayPartition(Instant.ofEpochMilli(p.hour)), tmp,
                ParquetIo.writer(tmp, settings.rowGroupBytes()));
        if (open.isEmpty()) {
            firstOpenedAt = System.nanoTime();
        }
        open.put(p, f);
        return f;
    }

    /** A digest of the properties as archived (their text forms, in order), the seed's {@code properties_hash}. */
    private String hash(Map<String, Object> props) {
        if (props.isEmpty()) {
            return null;
        }
        for (Map.Entry<String, Object> e : props.entrySet()) {
            sha256.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            String value = PropertyText.render(e.getValue());
            if (value != null) {
                sha256.update(value.getBytes(StandardCharsets.UTF_8));
            }
            sha256.update((byte) 1);
        }
        return HEX.formatHex(sha256.digest());
    }

    private void flushMetadata() {
        if (!metadata.isEmpty()) {
            backend.warehouse().insertEventMetadata(List.copyOf(metadata));
            metadata.clear();
        }
    }

    /** Closes, publishes and commits every open file, with the position they reach. */
    private void roll() throws IOException {
        flushMetadata();
        List<ArchivedFile> files = new ArrayList<>(open.size());
        for (Map.Entry<Partition, OpenFile> e : open.entrySet()) {
            OpenFile f = e.getValue();
            f.writer.close();
            long size = Files.size(f.tmp);
            backend.objects().putFile(f.key, f.tmp);
            files.add(new ArchivedFile(0, e.getKey().projectId, f.key, Instant.ofEpochMilli(e.getKey().hour), f.rows,
                    size, Instant.ofEpochMilli(f.minTs), Instant.ofEpochMilli(f.maxTs), StorageClass.HOT));
        }
        open.clear();
        backend.warehouse().commitArchive(new Checkpoint(CONSUMER, position, Map.of()), files);
        boolean imported = importedPending;
        importedPending = false;
        flushRequested = false;
        committed.advance(position);
        if (!files.isEmpty()) {
            LOG.debug("archived {} files up to {}", files.size(), position);
        }
        if (imported) {
            committedListener.run();
        }
    }

    private void openSubscription() {
        position = backend.warehouse().archivePosition(CONSUMER);
        subscription = backend.eventLog().subscribe(CONSUMER, position);
        committed.advance(position);
        LOG.debug("archiver resumes after {}", position);
    }

    /** Another instance archives: drop any file this one had open, and track the commits of the one that runs. */
    @Override
    public void follow() {
        if (subscription != null || !open.isEmpty()) {
            recover();
        }
        committed.advanceTo(backend.warehouse().archivePosition(CONSUMER));
    }

    @Override
    public void recover() {
        abortOpenFiles();
        metadata.clear();
        nextPart.clear();
        importedPending = false;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (RuntimeException e) {
                LOG.debug("closing subscription after failure", e);
            }
        }
        subscription = null;
    }

    private void abortOpenFiles() {
        for (OpenFile f : open.values()) {
            try {
                f.writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing an abandoned archive file", e);
            }
            try {
                Files.deleteIfExists(f.tmp);
            } catch (IOException e) {
                LOG.debug("deleting an abandoned spool file", e);
            }
        }
        open.clear();
    }

    @Override
    public void stop() {
        try {
            if (subscription != null && pending()) {
                roll();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            abortOpenFiles();
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
            clearSpool();
            if (settings.spoolDir() == null) {
                spool.toFile().delete();
            }
        }
    }

    private void clearSpool() {
        try (var files = Files.list(spool)) {
            files.forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("cleaning the spool directory", e);
        }
    }

    private record Partition(String projectId, long hour) {
    }

    private static final class OpenFile {
        final String key;
        /** The seed's {@code file_partition} of every event in the file, formatted once. */
        final String dayPartition;
        final Path tmp;
        final ParquetWriter<StoredEvent> writer;
        long rows;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;

        OpenFile(String key, String dayPartition, Path tmp, ParquetWriter<StoredEvent> writer) {
            this.key = key;
            this.dayPartition = dayPartition;
            this.tmp = tmp;
            this.writer = writer;
        }
    }
}
