package dev.tally.local;

import dev.tally.api.UnableToAppendException;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The event log on a Chronicle Queue with daily files. Each ingest batch is one document (group commit) in
 * {@link DocumentFormat}. A document is in the memory-mapped file when
 * {@link #append} returns, so it survives the process being killed (not a power loss: the OS flushes pages).
 * Positions are document indexes. Thread-safe: appenders are per thread, tailers per subscription.
 */
final class ChronicleEventLog implements EventLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleEventLog.class);

    private final SingleChronicleQueue queue;
    private final InstantSource clock;
    private final ThreadLocal<ExcerptAppender> appenders;
    private final List<ExcerptAppender> allAppenders = new CopyOnWriteArrayList<>();
    private final Object appended = new Object();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile long lastIndex;

    ChronicleEventLog(Path dir, InstantSource clock) {
        this.queue = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
        this.clock = clock;
        this.appenders = ThreadLocal.withInitial(() -> {
            ExcerptAppender a = queue.createAppender();
            allAppenders.add(a);
            return a;
        });
        this.lastIndex = queue.lastIndex();
    }

    @Override
    public void append(String projectId, List<LogRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        long index;
        // One writer at a time inside this process: Chronicle's own write lock spins (it is built for
        // cross-process use), which burns the cores many concurrent HTTP workers need; a Java lock parks.
        writeLock.lock();
        try {
            ExcerptAppender appender = appenders.get();
            // The document is assembled on the heap and handed to Chronicle in one write: far fewer
            // per-call checks than writing field by field.
            byte[] doc = DocumentFormat.write(clock.millis(), projectId, records);
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(doc);
            }
            index = appender.lastIndexAppended();
        } catch (RuntimeException e) {
            throw new UnableToAppendException("local (Chronicle Queue)", e);
        } finally {
            writeLock.unlock();
        }
        synchronized (appended) {
            if (index > lastIndex) {
                lastIndex = index;
            }
            appended.notifyAll();
        }
    }

    @Override
    public LogPosition endPosition() {
        long last = lastIndex;
        return last < 0 ? LogPosition.NONE : LogPosition.of(last);
    }

    @Override
    public Subscription subscribe(String consumer, LogPosition after) {
        ExcerptTailer tailer = queue.createTailer();
        long resumeAfter = after.partitions() == 0 ? -1 : after.lastOffset(0);
        if (resumeAfter >= 0) {
            if (tailer.moveToIndex(resumeAfter)) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent() || dc.index() != resumeAfter) {
                        throw new IllegalStateException("log document " + resumeAfter + " of consumer " + consumer
                                + " is missing");
                    }
                }
            } else {
                LOG.warn("consumer {} resumes after index {}, which is no longer in the log; starting at the oldest "
                        + "retained document", consumer, Long.toHexString(resumeAfter));
                tailer.toStart();
            }
        }
        return new ChronicleSubscription(tailer, after);
    }

    /** Calls {@code sink(projectId, eventId)} for every record appended at or after {@code sinceMillis}. */
    void scan(long sinceMillis, BiConsumer<String, String> sink) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    DocumentFormat.Reader doc = DocumentFormat.read(dc.wire().bytes());
                    if (doc.appendedAt() < sinceMillis) {
                        continue;
                    }
                    while (doc.hasNext()) {
                        sink.accept(doc.projectId(), doc.nextEventId());
                        doc.skipPayload();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        for (ExcerptAppender a : allAppenders) {
            try {
                a.close();
            } catch (RuntimeException e) {
                LOG.debug("closing appender", e);
            }
        }
        queue.close();
    }

    private final class ChronicleSubscription implements Subscription {
        private final ExcerptTailer tailer;
        private LogPosition position;

        ChronicleSubscription(ExcerptTailer tailer, LogPosition start) {
            this.tailer = tailer;
            this.position = start;
        }

        @Override
        public LogBatch poll(int maxRecords, Duration timeout) {
            List<LogRecord> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long seen = lastIndex;
                readAvailable(out, maxRecords);
                if (!out.isEmpty()) {
                    return new LogBatch(out, position);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new LogBatch(out, position);
                }
                synchronized (appended) {
                    if (lastIndex == seen) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(appended, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return new LogBatch(out, position);
                        }
                    }
                }
            }
        }

        private void readAvailable(List<LogRecord> out, int maxRecords) {
            while (out.size() < maxRecords) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    DocumentFormat.Reader doc = DocumentFormat.read(dc.wire().bytes());
                    while (doc.hasNext()) {
                        String eventId = doc.nextEventId();
                        out.add(new LogRecord(doc.projectId(), eventId, doc.payload()));
                    }
                    position = LogPosition.of(dc.index());
                }
            }
        }

        @Override
        public void close() {
            tailer.close();
        }
    }
}
