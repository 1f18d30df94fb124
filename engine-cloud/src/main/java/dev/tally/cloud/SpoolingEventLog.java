package dev.tally.cloud;

import dev.tally.api.UnableToAppendException;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Keeps ingestion available while the remote log (Kafka) is not: an append the log cannot take is written to a
 * durable local spool instead and acknowledged; a background thread delivers spooled batches to the log, oldest
 * first, once it answers again. Nothing acknowledged is lost across a crash either: the spool is files in the data
 * directory, each batch written to a temporary file, forced to disk and renamed into place before the append
 * returns, and deleted only after the log acknowledged it.
 *
 * <p>While anything is spooled, new appends join the spool too (so a recovering log is not raced by fresh
 * traffic and batches stay in their order); direct appends resume once it is empty. {@link #awaitDelivered}
 * lets {@code awaitIdle} wait for the spool. A crash between the log's acknowledgement of a spooled batch and the
 * deletion of its file delivers that batch twice (the one window for a duplicate record in the log).
 *
 * <p>Spool file: {@code <seq>.batch} = magic {@code TSP1}, project id, record count, then per record its event id
 * and payload, and a CRC-32 of everything before it. A file that fails its check (a disk fault) is moved to
 * {@code corrupt/} and reported, never silently dropped.
 */
final class SpoolingEventLog implements EventLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingEventLog.class);
    private static final int MAGIC = 0x54535031; // "TSP1"
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLog log;
    private final Path dir;
    private final Object lock = new Object();
    /** Spooled batches not yet delivered, by sequence number. Guarded by {@link #lock}. */
    private final TreeMap<Long, Path> spooled = new TreeMap<>();
    private long nextSeq;
    private final Thread deliverer;
    private volatile boolean running = true;

    SpoolingEventLog(EventLog log, Path dir) {
        this.log = log;
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.batch")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    spooled.put(Long.parseLong(name.substring(0, name.length() - ".batch".length())), f);
                }
            }
            try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*.tmp")) {
                for (Path f : tmp) {
                    Files.deleteIfExists(f); // never acknowledged: the append that wrote it failed
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new CloudStorageException("cannot open the event spool in " + dir + ": " + e, e);
        }
        nextSeq = spooled.isEmpty() ? 0 : spooled.lastKey() + 1;
        if (!spooled.isEmpty()) {
            LOG.warn("{} batches acknowledged into the spool before a restart are waiting for the event log", spooled.size());
        }
        deliverer = new Thread(this::deliverLoop, "tally-spool-delivery");
        deliverer.setDaemon(true);
        deliverer.start();
    }

    @Override
    public void append(String projectId, List<LogRecord> records) {
        synchronized (lock) {
            if (!spooled.isEmpty()) {
                spool(projectId, records);
                return;
            }
        }
        try {
            log.append(projectId, records);
        } catch (UnableToAppendException e) {
            LOG.warn("the event log refused a batch of {} events ({}); acknowledging it into the local spool",
                    records.size(), e.getMessage());
            synchronized (lock) {
                spool(projectId, records);
            }
        }
    }

    /** Number of batches waiting in the spool. */
    int spooledBatches() {
        synchronized (lock) {
            return spooled.size();
        }
    }

    @Override
    public boolean awaitDelivered(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!spooled.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.notifyAll(); // wakes the deliverer for an early retry
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Writes one batch durably; caller holds {@link #lock}. */
    private void spool(String projectId, List<LogRecord> records) {
        long seq = nextSeq++;
        Path target = dir.resolve(seq + ".batch");
        Path tmp = dir.resolve(seq + ".tmp");
        try {
            byte[] content = encode(projectId, records);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            forceDirectory();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the append fails either way
            }
            throw new UnableToAppendException("cloud", new IOException("the event log is unreachable and the local "
                    + "spool in " + dir + " cannot be written: " + e.getMessage(), e));
        }
        spooled.put(seq, target);
        lock.notifyAll();
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {} (not supported on every file system)", dir, e);
        }
    }

    private void deliverLoop() {
        while (running) {
            java.util.Map.Entry<Long, Path> next;
            synchronized (lock) {
                next = spooled.firstEntry();
                if (next == null) {
                    waitQuietly(TimeUnit.SECONDS.toNanos(1));
                    continue;
                }
            }
            if (!deliver(next.getKey(), next.getValue())) {
                synchronized (lock) {
                    waitQuietly(RETRY_NANOS);
                }
            }
        }
    }

    /** Delivers one spooled batch; {@code false} when the log still refuses it. */
    private boolean deliver(long seq, Path file) {
        Batch batch;
        try {
            batch = decode(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            quarantine(seq, file, e);
            return true;
        }
        try {
            log.append(batch.projectId, batch.records);
        } catch (RuntimeException e) {
            LOG.debug("spooled batch {} not delivered yet: {}", seq, e.toString());
            return false;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("delivered spooled batch " + file + " but cannot delete it", e);
        }
        synchronized (lock) {
            spooled.remove(seq);
            if (spooled.isEmpty()) {
                LOG.info("the event log took every spooled batch; appends go to it directly again");
            }
            lock.notifyAll();
        }
        return true;
    }

    private void quarantine(long seq, Path file, Exception cause) {
        Path corrupt = dir.resolve("corrupt");
        try {
            Files.createDirectories(corrupt);
            Files.move(file, corrupt.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        LOG.error("spooled batch {} is unreadable and was moved to {}: {}", file, corrupt, cause.toString());
        synchronized (lock) {
            spooled.remove(seq);
            lock.notifyAll();
        }
    }

    private void waitQuietly(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    static byte[] encode(String projectId, List<LogRecord> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + records.size() * 256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeUTF(projectId);
        out.writeInt(records.size());
        for (LogRecord r : records) {
            out.writeUTF(r.eventId());
            out.writeInt(r.payload().length);
            out.write(r.payload());
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    record Batch(String projectId, List<LogRecord> records) {
    }

    static Batch decode(byte[] content) throws IOException {
        if (content.length < 16) {
            throw new IOException("truncated spool file (" + content.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(content, 0, content.length - 8);
        long stored = ByteBuffer.wrap(content, content.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new IOException("spool file checksum mismatch");
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content, 0, content.length - 8));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a spool file");
        }
        String projectId = in.readUTF();
        int n = in.readInt();
        List<LogRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String eventId = in.readUTF();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            records.add(new LogRecord(projectId, eventId, payload));
        }
        return new Batch(projectId, records);
    }

    @Override
    public LogPosition endPosition() {
        return log.endPosition();
    }

    @Override
    public Subscription subscribe(String consumer, LogPosition after) {
        return log.subscribe(consumer, after);
    }

    @Override
    public LogPosition positionAt(Instant time) {
        return log.positionAt(time);
    }

    @Override
    public long truncate(LogPosition consumed, Instant appendedBefore) {
        return log.truncate(consumed, appendedBefore);
    }

    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            deliverer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (!spooled.isEmpty()) {
                LOG.warn("closing with {} spooled batches not yet delivered; they are delivered at the next start",
                        spooled.size());
            }
        }
    }
}
