package dev.tally.local;

import dev.tally.api.UnableToAppendException;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.util.FileState;
import net.openhft.chronicle.queue.util.FileUtil;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The event log on a Chronicle Queue with daily files. Each ingest batch is one document (group commit) in
 * {@link DocumentFormat}. A document is in the memory-mapped file when
 * {@link #append} returns, so it survives the process being killed (not a power loss: the OS flushes pages).
 * Positions are document indexes. Thread-safe: appenders are per thread, tailers per subscription.
 *
 * <p>Days are those of the engine clock (Chronicle's time provider), never earlier than the newest file: so a
 * test clock decides when files roll, and a clock set back never writes into a past file. Retention deletes
 * whole past day files ({@link #truncate}).
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

    private final Path dir;

    ChronicleEventLog(Path dir, InstantSource clock) {
        MonotonicTime time = new MonotonicTime(clock);
        this.dir = dir;
        this.queue = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).timeProvider(time).build();
        if (queue.lastCycle() != Integer.MIN_VALUE) {
            time.notBefore(queue.epoch() + (long) queue.lastCycle() * queue.rollCycle().lengthInMillis());
        }
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

    @Override
    public LogPosition positionAt(Instant time) {
        long at = time.toEpochMilli();
        // Documents of earlier days were appended before the day holding `time` began (the time provider
        // never goes back), so the search starts on that day's file or the next one that exists.
        int day = queue.cycle(() -> at);
        NavigableSet<Long> cycles = cycles();
        Long first = cycles.ceiling((long) day);
        if (first == null) {
            return endPosition();
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (!tailer.moveToCycle(first.intValue())) {
                tailer.toStart();
            }
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return endPosition();
                    }
                    if (DocumentFormat.appendedAt(dc.wire().bytes()) >= at) {
                        return positionBefore(dc.index());
                    }
                }
            }
        }
    }

    /** The position of the document before {@code index} (possibly in an earlier file), or NONE. */
    private LogPosition positionBefore(long index) {
        try (ExcerptTailer back = queue.createTailer().direction(TailerDirection.BACKWARD)) {
            if (!back.moveToIndex(index)) {
                return LogPosition.NONE;
            }
            try (DocumentContext dc = back.readingDocument()) {
                if (!dc.isPresent()) {
                    return LogPosition.NONE;
                }
            }
            try (DocumentContext dc = back.readingDocument()) {
                return dc.isPresent() ? LogPosition.of(dc.index()) : LogPosition.NONE;
            }
        }
    }

    @Override
    public long truncate(LogPosition consumed, Instant appendedBefore) {
        long keep = consumed.lastOffset(0);
        if (keep < 0) {
            return 0;
        }
        writeLock.lock(); // no roll to a new file while files go
        try {
            // Files strictly before each bound may go: consumers resume at `keep` (its file stays), days
            // before the one holding `appendedBefore` ended before it, and the newest file is being written.
            int bound = Math.min(queue.rollCycle().toCycle(keep), queue.lastCycle());
            bound = Math.min(bound, queue.cycle(appendedBefore::toEpochMilli));
            long freed = 0;
            for (long cycle : cycles().headSet((long) bound, false)) {
                File file = fileOf((int) cycle);
                if (file == null) {
                    continue;
                }
                if (stillOpen(file)) {
                    LOG.debug("log file {} is still open; keeping it and later ones until the next run", file);
                    break;
                }
                long size = file.length();
                if (!file.delete()) {
                    LOG.warn("could not delete log file {}; keeping it and later ones until the next run", file);
                    break;
                }
                freed += size;
                LOG.info("deleted log file {} ({} bytes): consumed and past retention", file.getName(), size);
            }
            if (freed > 0) {
                queue.refreshDirectoryListing();
            }
            return freed;
        } finally {
            writeLock.unlock();
        }
    }

    private NavigableSet<Long> cycles() {
        queue.refreshDirectoryListing();
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE) {
            return new TreeSet<>();
        }
        return new TreeSet<>(queue.listCyclesBetween(first, last)); // a copy: Chronicle's view has bounded ranges
    }

    /** The file of a roll cycle, or null when there is none. */
    private File fileOf(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return null;
        }
        try {
            return store.file();
        } finally {
            queue.closeStore(store);
            // Chronicle unmaps released files on a background thread: finish that now, so the file is seen
            // closed unless a tailer or appender really still holds it.
            BackgroundResourceReleaser.releasePendingResources();
        }
    }

    /** Whether some process (a tailer of ours, another tool) still has the file open; false where unknown. */
    private static boolean stillOpen(File file) {
        try {
            return FileUtil.state(file) == FileState.OPEN;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Copies every log file into {@code target} while appends wait, and returns the position the copy ends at
     * (a document appended later is not in it).
     */
    LogPosition copyTo(Path target) throws IOException {
        writeLock.lock();
        try {
            Files.createDirectories(target);
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".cq4"))::iterator) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
            return endPosition();
        } finally {
            writeLock.unlock();
        }
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

    /**
     * The engine clock as Chronicle's time provider, never earlier than what it returned before or the start
     * of the newest file: Chronicle would otherwise write into a past day's file, behind its readers.
     */
    private static final class MonotonicTime implements TimeProvider {
        private final InstantSource clock;
        private final AtomicLong floor = new AtomicLong(Long.MIN_VALUE);

        MonotonicTime(InstantSource clock) {
            this.clock = clock;
        }

        void notBefore(long millis) {
            floor.accumulateAndGet(millis, Math::max);
        }

        @Override
        public long currentTimeMillis() {
            return floor.accumulateAndGet(clock.millis(), Math::max);
        }
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
