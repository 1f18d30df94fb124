package dev.tally.engine.aggregate;

import dev.tally.api.MetricDefinition;
import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.engine.LogProgress;
import dev.tally.engine.codec.EventCodec;
import dev.tally.engine.codec.StoredEvent;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real-time aggregator: consumes the event log, folds events into 1m/5m/1h event-time tumbling windows
 * per (project, metric, dimension values), and flushes whole-window values to the {@code WindowStore}
 * together with its log position and watermarks, so a restart resumes exactly where the stored values end.
 *
 * <p>A replay ({@link #replay}) drops the windows from some time on and re-reads the log from a position
 * before their first event: records it had aggregated before (up to the position it had reached) count
 * again only where they fall in the dropped windows; later records count as usual. The replay's bounds
 * travel with the checkpoint, so a restart finishes it the same way.
 *
 * <p>Runs on one thread of a {@link StreamRuntime}; {@link #awaitPosition} and {@link #replay} may be called
 * from any thread.
 */
public final class AggregationJob implements StreamRuntime.StreamJob {
    public static final String CONSUMER = "aggregator";
    private static final Logger LOG = LoggerFactory.getLogger(AggregationJob.class);
    private static final WindowSize[] SIZES = WindowSize.values();
    private static final long METRIC_RELOAD_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long IDLE_FLUSH_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Backend backend;
    private final Runnable housekeeping;
    private long lastHousekeepingAt = System.nanoTime();
    private final InstantSource clock;
    private final AggregatorSettings settings;
    private final long latenessMillis;
    private final long retentionMillis;
    private final Lateness lateness;

    private final Map<String, ProjectAcc> projects = new HashMap<>();
    private final List<WindowAcc> dirty = new ArrayList<>();
    private final List<RejectedEvent> late = new ArrayList<>();
    private EventLog.Subscription subscription;
    private LogPosition position = LogPosition.NONE;
    private Map<String, List<MetricPlan>> plans = Map.of();
    private volatile boolean metricsChanged = true;
    private volatile boolean flushRequested;
    private long metricsLoadedAt;
    private boolean metricsLoaded;
    private long lastFlushAt = System.nanoTime();
    private long lastEvictionAt;

    private final LogProgress flushed = new LogProgress();
    private volatile Instant lastFlushTime;
    private final AtomicReference<ReplayRequest> replayRequest = new AtomicReference<>();
    private Replay replay;

    /**
     * @param housekeeping run about once a minute on the job's thread (e.g. trimming the rejected listing)
     */
    public AggregationJob(Backend backend, InstantSource clock, AggregatorSettings settings, Runnable housekeeping) {
        this.backend = backend;
        this.housekeeping = housekeeping;
        this.clock = clock;
        this.settings = settings;
        this.latenessMillis = settings.allowedLateness().toMillis();
        this.retentionMillis = settings.retention().toMillis();
        this.lateness = new Lateness(settings);
    }

    @Override
    public String name() {
        return "tally-aggregator";
    }

    /** Makes the next step reload metric definitions (called after one is defined). */
    public void metricsChanged() {
        metricsChanged = true;
    }

    /** Everything up to this position is aggregated and visible to queries. */
    public LogPosition flushedPosition() {
        return flushed.reached();
    }

    /** When the last flush happened (engine clock); {@code null} before the first. */
    public Instant lastFlushTime() {
        return lastFlushTime;
    }

    /**
     * Waits until the aggregator has flushed everything up to {@code target}.
     *
     * @return {@code false} on timeout
     */
    public boolean awaitPosition(LogPosition target, Duration timeout) throws InterruptedException {
        return flushed.await(target, timeout, () -> flushRequested = true);
    }

    /**
     * Asks the job to drop the windows starting at or after {@code from} and re-aggregate from the log after
     * {@code after} (moved back to where it is now, if it has not got that far). Completes, with the bounds
     * used, once the windows are dropped and the checkpoint moved; re-aggregation then runs in the background
     * ({@link #awaitPosition} waits for it).
     */
    public CompletableFuture<Rewind> replay(Instant from, LogPosition after) {
        if (settings.runtime() == AggregatorSettings.Runtime.EXTERNAL) {
            return CompletableFuture.failedFuture(new dev.tally.api.InvalidRequestException("from", "unsupported",
                    "replay rebuilds the windows with the in-process aggregator, but tally.aggregator.runtime is "
                            + "external: replay from the stream processor instead"));
        }
        ReplayRequest request = new ReplayRequest(from, after, new CompletableFuture<>());
        ReplayRequest previous = replayRequest.getAndSet(request);
        if (previous != null) {
            previous.done.cancel(false);
        }
        flushRequested = true;
        return request.done;
    }

    /** Where a replay re-reads the log: after {@code after}, through {@code until} (what had been aggregated). */
    public record Rewind(LogPosition after, LogPosition until) {
    }

    private record ReplayRequest(Instant from, LogPosition after, CompletableFuture<Rewind> done) {
    }

    @Override
    public boolean step() {
        if (subscription == null) {
            open();
        }
        ReplayRequest request = replayRequest.getAndSet(null);
        if (request != null) {
            startReplay(request);
        }
        // Re-read records go one appended batch per poll, so each batch is known to be re-read or new.
        LogPosition before = position;
        LogBatch batch = subscription.poll(replay != null ? 1 : settings.pollBatch(), pollTimeout());
        long replayFrom = replay != null && replay.rereads(before, batch.position()) ? replay.from() : Long.MIN_VALUE;
        // Checked after the poll: a metric defined before an event was appended is applied to that event.
        if (metricsChanged || System.nanoTime() - metricsLoadedAt > METRIC_RELOAD_NANOS) {
            loadMetrics();
        }
        long now = clock.millis();
        for (LogRecord r : batch.records()) {
            StoredEvent se;
            try {
                se = EventCodec.decode(r.payload());
            } catch (RuntimeException e) {
                LOG.error("skipping an unreadable log record of project {}: {}", r.projectId(), e.toString());
                continue;
            }
            if (!se.imported()) {
                process(se, now, replayFrom); // backfill goes to the archive and rollups only
            }
        }
        if (!batch.isEmpty()) {
            position = batch.position();
        }
        if (replay != null && position.covers(replay.until())) {
            LOG.info("replay of the windows from {} caught up at {}", Instant.ofEpochMilli(replay.from()), position);
            replay = null;
        }
        boolean caughtUp = batch.records().size() < settings.pollBatch();
        long sinceFlush = System.nanoTime() - lastFlushAt;
        // Under load: one flush per flush interval. Caught up: soon, but not after every small batch (each
        // flush is a store transaction), unless someone waits in awaitIdle.
        if (pending() && (sinceFlush > settings.flushInterval().toNanos() || dirty.size() > 200_000
                || caughtUp && (flushRequested || sinceFlush > IDLE_FLUSH_DELAY_NANOS))) {
            flushRequested = false;
            flush();
        }
        if (System.nanoTime() - lastEvictionAt > TimeUnit.SECONDS.toNanos(1)) {
            evict(now);
        }
        return !batch.isEmpty();
    }

    private boolean pending() {
        return !dirty.isEmpty() || !late.isEmpty() || !position.equals(flushed.reached());
    }

    /** Short while something waits to be flushed, so the idle flush is not delayed by a long poll. */
    private Duration pollTimeout() {
        if (!pending()) {
            return Duration.ofMillis(50);
        }
        long left = IDLE_FLUSH_DELAY_NANOS - (System.nanoTime() - lastFlushAt);
        return Duration.ofNanos(flushRequested ? 0 : Math.max(0, left));
    }

    @Override
    public void recover() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (RuntimeException e) {
                LOG.debug("closing subscription after failure", e);
            }
        }
        subscription = null;
        projects.clear();
        dirty.clear();
        late.clear();
    }

    /** Another instance aggregates: forget what this one held, and track the flushes of the one that runs. */
    @Override
    public void follow() {
        if (subscription != null) {
            recover();
        }
        backend.windows().checkpoint(CONSUMER).ifPresent(cp -> {
            if (!flushed.reached().equals(cp.position())) {
                lastFlushTime = clock.instant();
            }
            flushed.advanceTo(cp.position());
        });
    }

    /**
     * The job to run instead of this one when a stream processor outside the engine aggregates
     * ({@link AggregatorSettings.Runtime#EXTERNAL}): it only {@linkplain #follow() follows} the
     * {@value #CONSUMER} checkpoint that processor writes (every ~100 ms), so that {@link #awaitPosition} and
     * {@link #lastFlushTime} report its progress, and runs the housekeeping (window expiry, the rejected
     * listing's trim) about once a minute.
     */
    public StreamRuntime.StreamJob follower() {
        return new StreamRuntime.StreamJob() {
            @Override
            public String name() {
                return "tally-aggregator-follower";
            }

            @Override
            public boolean step() {
                follow();
                if (System.nanoTime() - lastHousekeepingAt > TimeUnit.MINUTES.toNanos(1)) {
                    lastHousekeepingAt = System.nanoTime();
                    backend.windows().expireBefore(Instant.ofEpochMilli(clock.millis() - retentionMillis));
                    housekeeping.run();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                return false;
            }

            @Override
            public void recover() {
            }

            @Override
            public void follow() {
                AggregationJob.this.follow();
            }

            @Override
            public void stop() {
            }
        };
    }

    @Override
    public void stop() {
        try {
            if (subscription != null && pending()) {
                flush();
            }
        } finally {
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
        }
    }

    private void open() {
        Checkpoint cp = backend.windows().checkpoint(CONSUMER).orElse(null);
        position = cp == null ? LogPosition.NONE : cp.position();
        projects.clear();
        replay = cp == null ? null : Replay.decode(cp.watermarks());
        if (cp != null) {
            cp.watermarks().forEach((project, wm) -> {
                if (!Replay.isKey(project)) {
                    projects.put(project, new ProjectAcc(wm));
                }
            });
        }
        subscription = backend.eventLog().subscribe(CONSUMER, position);
        flushed.advanceTo(position);
        LOG.debug("aggregator resumes after {}{}", position, replay == null ? "" : " replaying " + replay);
    }

    /**
     * Flushes, then drops the windows from the request's time on and moves the checkpoint back, with each
     * project's watermark lowered to just before that time: its re-read events then meet the same lateness
     * checks as the first time (every event that could raise a watermark past it is re-read too).
     */
    private void startReplay(ReplayRequest request) {
        try {
            if (pending()) {
                flush();
            }
            LogPosition until = position;
            LogPosition after = request.after().min(until);
            long from = request.from().toEpochMilli();
            Map<String, Long> watermarks = new HashMap<>();
            projects.forEach((id, p) -> {
                if (p.watermark != Long.MIN_VALUE) {
                    watermarks.put(id, Math.min(p.watermark, from - 1));
                }
            });
            if (!after.covers(until)) {
                watermarks.putAll(new Replay(from, until).encode());
            }
            backend.windows().rewind(request.from(), new Checkpoint(CONSUMER, after, watermarks));
            recover();
            open();
            flushed.advance(position);
            LOG.info("replaying the windows from {}: re-reading the log after {} through {}", request.from(), after,
                    until);
            request.done().complete(new Rewind(after, until));
        } catch (RuntimeException e) {
            request.done().completeExceptionally(e);
            throw e;
        }
    }

    private void loadMetrics() {
        // Cleared before reading, so a definition that lands during the read triggers another load.
        metricsChanged = false;
        Map<String, List<MetricDefinition>> defined;
        try {
            defined = backend.catalog().allMetrics();
        } catch (RuntimeException e) {
            if (!metricsLoaded) {
                throw e;
            }
            // The catalog is down: keep aggregating with the definitions known; try again at the next reload.
            LOG.warn("cannot reload metric definitions, keeping the {} projects' known ones: {}", plans.size(), e.toString());
            metricsLoadedAt = System.nanoTime();
            return;
        }
        metricsLoaded = true;
        Map<String, List<MetricPlan>> next = new HashMap<>();
        defined.forEach((project, defs) -> {
            List<MetricPlan> list = new ArrayList<>(defs.size());
            defs.forEach(d -> list.add(new MetricPlan(d)));
            next.put(project, list);
        });
        plans = next;
        metricsLoadedAt = System.nanoTime();
        for (Map.Entry<String, ProjectAcc> e : projects.entrySet()) {
            e.getValue().syncPlans(plans.getOrDefault(e.getKey(), List.of()));
        }
    }

    /**
     * Folds one event into its windows. {@code replayFrom} is {@link Long#MIN_VALUE} for a new record; for a
     * re-read one it is where the dropped windows start: earlier events are already counted, and lateness was
     * already recorded the first time.
     */
    private void process(StoredEvent se, long now, long replayFrom) {
        long ts = se.event().timestamp().toEpochMilli();
        if (ts < replayFrom) {
            return;
        }
        boolean reread = replayFrom != Long.MIN_VALUE;
        String projectId = se.projectId();
        ProjectAcc p = projects.get(projectId);
        if (p == null) {
            p = new ProjectAcc(Long.MIN_VALUE);
            projects.put(projectId, p);
        }
        if (p.metrics == null) {
            p.syncPlans(plans.getOrDefault(projectId, List.of()));
        }
        String late = lateness.why(ts, p.watermark, now);
        if (late != null) {
            if (!reread) {
                recordLate(se, late);
            }
            return;
        }
        if (ts > p.watermark) {
            p.watermark = ts;
        }
        for (MetricAcc m : p.metrics) {
            if (!m.plan.matches(se.event())) {
                continue;
            }
            List<String> dims = m.plan.dimensionValues(se.event());
            SeriesAcc series = m.series.get(dims);
            if (series == null) {
                series = new SeriesAcc(dims);
                m.series.put(dims, series);
            }
            for (WindowSize size : SIZES) {
                long start = size.startOf(ts);
                WindowAcc w = series.window(size, start);
                if (w == null) {
                    w = newWindow(projectId, m, series, size, start);
                }
                m.plan.apply(w.aggregate, se.event());
                if (!w.dirty) {
                    w.dirty = true;
                    dirty.add(w);
                }
            }
        }
    }

    private WindowAcc newWindow(String projectId, MetricAcc m, SeriesAcc series, WindowSize size, long start) {
        SeriesAcc target = series;
        if (!series.isOther() && !m.cap.admit(size, start, series.dimensions)) {
            target = m.other();
            WindowAcc existing = target.window(size, start);
            if (existing != null) {
                return existing;
            }
        }
        WindowKey key = new WindowKey(projectId, m.plan.name(), size, start, target.dimensions);
        Aggregate initial = backend.windows().get(key).map(Aggregate::copy).orElseGet(Aggregate::empty);
        WindowAcc w = new WindowAcc(key, initial);
        target.put(size, start, w);
        if (target != series) {
            // Later events of this series in this window go straight to the other-bucket.
            series.put(size, start, w);
        }
        return w;
    }

    private void recordLate(StoredEvent se, String why) {
        late.add(new RejectedEvent(se.projectId(), se.event().eventId(), se.event().eventType(),
                RejectedEvent.Reason.LATE,
                List.of(new Violation("timestamp", "late", Lateness.rejection(why))),
                clock.instant(), null));
    }

    private void flush() {
        if (!late.isEmpty()) {
            try {
                backend.warehouse().recordRejections(List.copyOf(late));
            } catch (RuntimeException e) {
                LOG.warn("could not record {} late events: {}", late.size(), e.toString());
            }
            late.clear();
        }
        // The store keeps its own copies (WindowStore.putAll), so the live accumulators are handed over as is.
        Map<WindowKey, Aggregate> values = new HashMap<>(dirty.size() * 2);
        for (WindowAcc w : dirty) {
            values.put(w.key, w.aggregate);
        }
        Map<String, Long> watermarks = new HashMap<>();
        projects.forEach((id, p) -> {
            if (p.watermark != Long.MIN_VALUE) {
                watermarks.put(id, p.watermark);
            }
        });
        if (replay != null) {
            watermarks.putAll(replay.encode());
        }
        backend.windows().putAll(values, new Checkpoint(CONSUMER, position, watermarks));
        for (WindowAcc w : dirty) {
            w.dirty = false;
        }
        dirty.clear();
        lastFlushAt = System.nanoTime();
        lastFlushTime = clock.instant();
        flushed.advance(position);
    }

    /** Drops windows no event can reach any more (closed past lateness, or past retention). */
    private void evict(long now) {
        lastEvictionAt = System.nanoTime();
        long retentionCutoff = now - retentionMillis;
        for (ProjectAcc p : projects.values()) {
            if (p.metrics == null) {
                continue;
            }
            long closedBefore = p.watermark == Long.MIN_VALUE ? Long.MIN_VALUE : p.watermark - latenessMillis;
            for (MetricAcc m : p.metrics) {
                Iterator<SeriesAcc> it = m.series.values().iterator();
                while (it.hasNext()) {
                    SeriesAcc s = it.next();
                    s.evict(closedBefore, retentionCutoff);
                    if (s.isEmpty()) {
                        it.remove();
                    }
                }
                if (m.other != null) {
                    m.other.evict(closedBefore, retentionCutoff);
                }
                m.cap.forgetBefore(Math.max(closedBefore - WindowSize.ONE_HOUR.millis(),
                        retentionCutoff - WindowSize.ONE_HOUR.millis()));
            }
        }
        if (System.nanoTime() - lastHousekeepingAt > TimeUnit.MINUTES.toNanos(1)) {
            lastHousekeepingAt = System.nanoTime();
            try {
                backend.windows().expireBefore(Instant.ofEpochMilli(retentionCutoff));
                housekeeping.run();
            } catch (RuntimeException e) {
                LOG.warn("housekeeping failed: {}", e.toString());
            }
        }
    }

    private final class ProjectAcc {
        long watermark;
        List<MetricAcc> metrics;

        ProjectAcc(long watermark) {
            this.watermark = watermark;
        }

        void syncPlans(List<MetricPlan> defined) {
            int maxCombinations = settings.maxCombinations();
            Map<String, MetricAcc> existing = new HashMap<>();
            if (metrics != null) {
                metrics.forEach(m -> existing.put(m.plan.name(), m));
            }
            List<MetricAcc> next = new ArrayList<>(MetricPlan.BUILT_INS.size() + defined.size());
            for (MetricDefinition b : MetricPlan.BUILT_INS) {
                next.add(existing.containsKey(b.name()) ? existing.get(b.name()) : new MetricAcc(new MetricPlan(b), maxCombinations));
            }
            for (MetricPlan plan : defined) {
                MetricAcc m = existing.get(plan.name());
                next.add(m != null && m.plan.definition().equals(plan.definition()) ? m : new MetricAcc(plan, maxCombinations));
            }
            metrics = next;
        }
    }

    private static final class MetricAcc {
        final MetricPlan plan;
        final Map<List<String>, SeriesAcc> series = new HashMap<>();
        final CombinationCap<List<String>> cap;
        SeriesAcc other;

        MetricAcc(MetricPlan plan, int maxCombinations) {
            this.plan = plan;
            this.cap = new CombinationCap<>(maxCombinations);
        }

        SeriesAcc other() {
            if (other == null) {
                other = new SeriesAcc(CombinationCap.otherBucket(plan.definition().dimensions().size()));
            }
            return other;
        }
    }

    /** Open windows of one dimension combination, with the most recent window per size at hand. */
    private static final class SeriesAcc {
        final List<String> dimensions;
        final long[] lastStart = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        final WindowAcc[] last = new WindowAcc[3];
        @SuppressWarnings("unchecked")
        final Map<Long, WindowAcc>[] windows = new Map[] {new HashMap<>(), new HashMap<>(), new HashMap<>()};

        SeriesAcc(List<String> dimensions) {
            this.dimensions = dimensions;
        }

        boolean isOther() {
            return CombinationCap.isOtherBucket(dimensions);
        }

        WindowAcc window(WindowSize size, long start) {
            int i = size.ordinal();
            if (lastStart[i] == start) {
                return last[i];
            }
            WindowAcc w = windows[i].get(start);
            if (w != null) {
                lastStart[i] = start;
                last[i] = w;
            }
            return w;
        }

        void put(WindowSize size, long start, WindowAcc w) {
            int i = size.ordinal();
            windows[i].put(start, w);
            lastStart[i] = start;
            last[i] = w;
        }

        void evict(long closedBefore, long retentionCutoff) {
            for (WindowSize size : SIZES) {
                int i = size.ordinal();
                windows[i].values().removeIf(w -> !w.dirty && (w.key.start() + size.millis() <= closedBefore
                        || w.key.start() + size.millis() <= retentionCutoff));
                if (last[i] != null && !windows[i].containsKey(lastStart[i])) {
                    last[i] = null;
                    lastStart[i] = Long.MIN_VALUE;
                }
            }
        }

        boolean isEmpty() {
            return windows[0].isEmpty() && windows[1].isEmpty() && windows[2].isEmpty();
        }
    }

    private static final class WindowAcc {
        final WindowKey key;
        final Aggregate aggregate;
        boolean dirty;

        WindowAcc(WindowKey key, Aggregate aggregate) {
            this.key = key;
            this.aggregate = aggregate;
        }
    }
}
