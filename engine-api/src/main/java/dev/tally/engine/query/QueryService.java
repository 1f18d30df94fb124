package dev.tally.engine.query;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.tally.api.Granularity;
import dev.tally.api.InvalidQueryException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.NotFoundException;
import dev.tally.engine.json.Json;
import dev.tally.engine.aggregate.MetricPlan;
import dev.tally.engine.rollup.RollupService;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Warehouse;
import dev.tally.spi.Backend;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowStore;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Answers metric queries. Each hour of the range is served by one source: rolled-up hours by the
 * warehouse's {@code metric_aggregates} (authoritative: they count late events and imports), other hours
 * inside the real-time retention by the live windows; a range over both is stitched and says so in
 * {@code source}. Whole UTC days inside one bucket read day rows; hours split by a bucket boundary (half-hour
 * zones, sub-hour buckets) are recomputed from the archive. Results are cached under keys that include the
 * window store's and the rollups' versions, so a cached answer is never staler than the stores.
 * Thread-safe.
 */
public final class QueryService {
    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    public static final String SOURCE_REALTIME = "realtime";
    public static final String SOURCE_WAREHOUSE = "warehouse";
    public static final String SOURCE_STITCHED = "realtime+warehouse";
    /** The note of an answer served by the windows alone because the warehouse was unreachable. */
    public static final String WAREHOUSE_UNAVAILABLE_NOTE = "the warehouse is unavailable: answered from the real-time "
            + "windows alone, without late events that only rollups count";
    /** The note of an answer whose recent hours came from the archive because the real-time windows were unreachable. */
    public static final String WINDOWS_UNAVAILABLE_NOTE = "real-time windows are unavailable: recent hours were "
            + "computed from the archive, which trails ingestion by up to the archive's roll interval";
    private static final Duration MAX_RANGE = Duration.ofDays(5 * 366);
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private final Backend backend;
    private final BiFunction<String, String, Optional<MetricDefinition>> metrics;
    private final Supplier<Instant> freshness;
    private final Duration cacheTtl;
    private final InstantSource clock;
    private final Duration retention;
    private final RollupService rollups;

    public QueryService(Backend backend,
                        BiFunction<String, String, Optional<MetricDefinition>> metrics,
                        Supplier<Instant> freshness, Duration cacheTtl, InstantSource clock, Duration retention,
                        RollupService rollups) {
        this.backend = backend;
        this.metrics = metrics;
        this.freshness = freshness;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
        this.retention = retention;
        this.rollups = rollups;
    }

    public MetricResult query(String projectId, MetricQuery q) {
        MetricDefinition def = metrics.apply(projectId, q.metric())
                .orElseThrow(() -> new NotFoundException("metric '" + q.metric() + "' is not defined"));
        validate(def, q);
        if (cacheTtl.isZero()) {
            return compute(projectId, def, q);
        }
        String cacheKey;
        Optional<byte[]> cached;
        try {
            cacheKey = cacheKey(projectId, q);
            cached = backend.cache().get(cacheKey);
        } catch (RuntimeException e) {
            // The cache (and the version counters its key needs) may live in a store that is down: answer uncached.
            LOG.warn("query cache unavailable, answering without it: {}", e.toString());
            return compute(projectId, def, q);
        }
        if (cached.isPresent()) {
            return Json.MAPPER.readValue(cached.get(), MetricResult.class);
        }
        MetricResult result = compute(projectId, def, q);
        if (!result.notes().contains(WINDOWS_UNAVAILABLE_NOTE) && !result.notes().contains(WAREHOUSE_UNAVAILABLE_NOTE)) {
            try {
                backend.cache().put(cacheKey, Json.MAPPER.writeValueAsBytes(result), cacheTtl);
            } catch (RuntimeException e) {
                LOG.warn("query cache unavailable, result not cached: {}", e.toString());
            }
        }
        return result;
    }

    private String cacheKey(String projectId, MetricQuery q) {
        // The horizon moves with the clock: a cached answer is valid for one position of it (to the minute).
        long horizonMinute = Math.floorDiv(horizon(), 60_000L);
        return "q:" + projectId + ":" + backend.windows().version(projectId) + ":"
                + backend.warehouse().rollupVersion(projectId) + ":" + horizonMinute + ":" + q.metric() + ":"
                + q.from().toEpochMilli() + ":" + q.to().toEpochMilli() + ":" + q.granularity().wireName() + ":"
                + String.join(",", q.groupBy()) + ":" + new java.util.TreeMap<>(q.filters()) + ":" + q.zone().getId();
    }

    private static void validate(MetricDefinition def, MetricQuery q) {
        if (!q.from().isBefore(q.to())) {
            throw new InvalidQueryException("startTime", "startTime must be before endTime");
        }
        if (Duration.between(q.from(), q.to()).compareTo(MAX_RANGE) > 0) {
            throw new InvalidQueryException("endTime", "a query spans at most 5 years");
        }
        for (String g : q.groupBy()) {
            if (!def.dimensions().contains(g)) {
                throw new InvalidQueryException("groupBy", "metric '" + def.name() + "' has no dimension '" + g
                        + "'; its dimensions are " + def.dimensions());
            }
        }
        for (String f : q.filters().keySet()) {
            if (!def.dimensions().contains(f)) {
                throw new InvalidQueryException("filter", "metric '" + def.name() + "' has no dimension '" + f
                        + "'; its dimensions are " + def.dimensions());
            }
        }
    }

    /** Start of the oldest hour the real-time windows may still hold. */
    private long horizon() {
        return Math.floorDiv(clock.millis() - retention.toMillis(), HOUR) * HOUR;
    }

    private MetricResult compute(String projectId, MetricDefinition def, MetricQuery q) {
        // Windows are at least a minute long: a range inside minutes is widened to whole minutes, and says so.
        Instant from = Instant.ofEpochMilli(Math.floorDiv(q.from().toEpochMilli(), 60_000L) * 60_000L);
        Instant to = Instant.ofEpochMilli(-Math.floorDiv(-q.to().toEpochMilli(), 60_000L) * 60_000L);
        List<String> notes = new ArrayList<>();
        if (!from.equals(q.from()) || !to.equals(q.to())) {
            notes.add("range widened to whole minutes: [" + from + ", " + to + ")");
        }
        BucketPlan plan = BucketPlan.of(from, to, q.granularity(), q.zone());
        Buckets buckets = new Buckets(def, q, plan);
        long start = from.toEpochMilli();
        long end = to.toEpochMilli();
        long firstHour = Math.floorDiv(start, HOUR) * HOUR;
        long horizon = horizon();

        // Which hours the warehouse serves: every rolled-up hour, and every hour older than the windows keep.
        Set<Long> rolled = new HashSet<>();
        if (end > horizon) {
            try {
                for (Instant h : backend.warehouse().rolledUpHours(projectId,
                        Instant.ofEpochMilli(Math.max(firstHour, horizon)), to)) {
                    rolled.add(h.toEpochMilli());
                }
            } catch (RuntimeException e) {
                if (start < horizon) {
                    throw e; // older hours live only in the warehouse
                }
                // Degraded, not failed: the windows hold every hour of this range (late events aside).
                LOG.warn("warehouse unavailable for a query of {}/{}; answering from the real-time windows: {}",
                        projectId, def.name(), e.toString());
                notes.add(WAREHOUSE_UNAVAILABLE_NOTE);
            }
        }
        boolean realtimeUsed = end > horizon;
        boolean warehouseUsed = start < horizon || !rolled.isEmpty();

        List<WindowStore.Window> windows = List.of();
        boolean recentFromArchive = false;
        if (realtimeUsed) {
            try {
                windows = backend.windows().range(projectId, def.name(), plan.source,
                        Math.max(plan.boundaries[0], horizon), plan.boundaries[plan.boundaries.length - 1]);
            } catch (RuntimeException e) {
                // Degraded, not failed: the hours the windows would serve are recomputed from the archive.
                LOG.warn("real-time windows unavailable for a query of {}/{}; answering from the archive: {}",
                        projectId, def.name(), e.toString());
                notes.add(WINDOWS_UNAVAILABLE_NOTE);
                realtimeUsed = false;
                recentFromArchive = true;
                warehouseUsed = true;
            }
            for (WindowStore.Window w : windows) {
                if (rolled.contains(Math.floorDiv(w.start(), HOUR) * HOUR)) {
                    continue;
                }
                int b = plan.bucketOf(w.start());
                if (b >= 0) {
                    w.values().forEach((values, a) -> buckets.add(b, values, a));
                }
            }
        }
        if (warehouseUsed) {
            addWarehouse(projectId, def, plan, buckets, start, end, firstHour, horizon, rolled, recentFromArchive, notes);
        }
        if (buckets.folded) {
            notes.add("some dimension combinations exceeded the per-window cap and are reported as "
                    + WindowKey.OTHER_VALUE);
        }
        String source = realtimeUsed && warehouseUsed ? SOURCE_STITCHED : realtimeUsed ? SOURCE_REALTIME : SOURCE_WAREHOUSE;
        return new MetricResult(def.name(), q.granularity(), source, freshness.get(), buckets.points(), notes);
    }

    /**
     * Adds the warehouse's share: whole UTC days within one bucket from day rows, other whole hours within one
     * bucket from hour rows, hours a bucket boundary splits recomputed from the archive.
     */
    private void addWarehouse(String projectId, MetricDefinition def, BucketPlan plan, Buckets buckets, long start,
                              long end, long firstHour, long horizon, Set<Long> rolled, boolean recentFromArchive,
                              List<String> notes) {
        List<Long> hourRows = new ArrayList<>();
        List<Long> scans = new ArrayList<>();
        Set<Long> dayRows = new HashSet<>();
        int recentScans = 0;
        for (long h = firstHour; h < end; h += HOUR) {
            if (h >= horizon && !rolled.contains(h)) {
                if (recentFromArchive) {
                    scans.add(h);
                    recentScans++;
                }
                continue;
            }
            long day = Math.floorDiv(h, DAY) * DAY;
            if (dayRows.contains(day)) {
                continue;
            }
            if (h == day && wholeDayServed(day, start, end, horizon, rolled) && sameBucket(plan, day, day + DAY)) {
                dayRows.add(day);
                h = day + DAY - HOUR;
                continue;
            }
            if (h >= start && h + HOUR <= end && sameBucket(plan, h, h + HOUR)) {
                hourRows.add(h);
            } else {
                scans.add(h);
            }
        }
        if (!dayRows.isEmpty()) {
            long lo = dayRows.stream().min(Long::compare).orElseThrow();
            long hi = dayRows.stream().max(Long::compare).orElseThrow() + DAY;
            String rows = rowsOf(RollupService.DAY, def, buckets);
            for (Warehouse.AggregateRow r : backend.warehouse().aggregates(projectId, def.name(), rows,
                    Instant.ofEpochMilli(lo), Instant.ofEpochMilli(hi))) {
                long t = r.timestamp().toEpochMilli();
                if (dayRows.contains(t)) {
                    buckets.add(plan.bucketOf(t), RollupService.values(def, r.dimensions()), r.aggregate());
                }
            }
        }
        if (!hourRows.isEmpty()) {
            Set<Long> wanted = new HashSet<>(hourRows);
            String rows = rowsOf(RollupService.HOUR, def, buckets);
            for (Warehouse.AggregateRow r : backend.warehouse().aggregates(projectId, def.name(), rows,
                    Instant.ofEpochMilli(hourRows.get(0)), Instant.ofEpochMilli(hourRows.get(hourRows.size() - 1) + HOUR))) {
                long t = r.timestamp().toEpochMilli();
                if (wanted.contains(t)) {
                    buckets.add(plan.bucketOf(t), RollupService.values(def, r.dimensions()), r.aggregate());
                }
            }
        }
        if (!scans.isEmpty()) {
            MetricPlan metric = new MetricPlan(def);
            long scanned = 0;
            for (long h : scans) {
                long from = Math.max(h, start);
                long to = Math.min(h + HOUR, end);
                scanned += rollups.scan(projectId, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), e -> {
                    if (metric.matches(e)) {
                        int b = plan.bucketOf(e.timestamp().toEpochMilli());
                        if (b >= 0) {
                            Aggregate a = Aggregate.empty();
                            metric.apply(a, e);
                            buckets.add(b, metric.dimensionValues(e), a);
                        }
                    }
                });
            }
            int split = scans.size() - recentScans;
            notes.add(split > 0
                    ? split + " hour(s) split by bucket boundaries were computed from the archive (" + scanned
                            + " events read)"
                    : recentScans + " recent hour(s) were computed from the archive (" + scanned + " events read)");
        }
    }

    /**
     * Which rows of a granularity answer the query with the fewest reads: without {@code groupBy} and filters
     * the all-combinations projection, grouped by one of several dimensions (no filters) that dimension's
     * projection, otherwise the full rows.
     */
    private static String rowsOf(String granularity, MetricDefinition def, Buckets buckets) {
        int dims = def.dimensions().size();
        if (dims == 0 || !buckets.q.filters().isEmpty()) {
            return granularity;
        }
        if (buckets.q.groupBy().isEmpty()) {
            return Warehouse.allOf(granularity);
        }
        if (buckets.q.groupBy().size() == 1 && dims > 1) {
            return Warehouse.byDimension(granularity, def.dimensions().indexOf(buckets.q.groupBy().get(0)));
        }
        return granularity;
    }

    private static boolean wholeDayServed(long day, long start, long end, long horizon, Set<Long> rolled) {
        if (day < start || day + DAY > end) {
            return false;
        }
        for (long h = day; h < day + DAY; h += HOUR) {
            if (h >= horizon && !rolled.contains(h)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameBucket(BucketPlan plan, long from, long to) {
        int b = plan.bucketOf(from);
        return b >= 0 && b == plan.bucketOf(to - 1);
    }

    /** Points being merged: per bucket, group values to the merged aggregate. Not thread-safe. */
    private static final class Buckets {
        private final MetricQuery q;
        private final MetricDefinition def;
        private final BucketPlan plan;
        private final int[] groupIdx;
        private final int[] filterIdx;
        private final String[] filterVal;
        private final List<Map<List<String>, Aggregate>> byBucket;
        boolean folded;

        Buckets(MetricDefinition def, MetricQuery q, BucketPlan plan) {
            this.def = def;
            this.q = q;
            this.plan = plan;
            List<String> dims = def.dimensions();
            groupIdx = q.groupBy().stream().mapToInt(dims::indexOf).toArray();
            filterIdx = new int[q.filters().size()];
            filterVal = new String[q.filters().size()];
            int fi = 0;
            for (Map.Entry<String, String> f : q.filters().entrySet()) {
                filterIdx[fi] = dims.indexOf(f.getKey());
                filterVal[fi++] = f.getValue();
            }
            byBucket = new ArrayList<>(plan.buckets());
            for (int i = 0; i < plan.buckets(); i++) {
                byBucket.add(null);
            }
        }

        void add(int b, List<String> values, Aggregate a) {
            if (b < 0 || filterIdx.length > 0 && !matches(values, filterIdx, filterVal)) {
                return;
            }
            if (!values.isEmpty() && values.get(0).equals(WindowKey.OTHER_VALUE)) {
                folded = true;
            }
            Map<List<String>, Aggregate> bucket = byBucket.get(b);
            if (bucket == null) {
                bucket = new HashMap<>();
                byBucket.set(b, bucket);
            }
            List<String> g = group(values, groupIdx);
            Aggregate acc = bucket.get(g);
            if (acc == null) {
                acc = Aggregate.empty();
                bucket.put(g, acc);
            }
            acc.merge(a);
        }

        List<MetricPoint> points() {
            List<MetricPoint> points = new ArrayList<>();
            for (int b = 0; b < byBucket.size(); b++) {
                Map<List<String>, Aggregate> bucket = byBucket.get(b);
                if (bucket == null) {
                    continue;
                }
                Instant ts = Instant.ofEpochMilli(plan.boundaries[b]);
                List<MetricPoint> inBucket = new ArrayList<>(bucket.size());
                for (Map.Entry<List<String>, Aggregate> e : bucket.entrySet()) {
                    if (e.getValue().count() == 0) {
                        continue;
                    }
                    Map<String, String> labels = new LinkedHashMap<>();
                    for (int g = 0; g < groupIdx.length; g++) {
                        labels.put(q.groupBy().get(g), e.getKey().get(g));
                    }
                    inBucket.add(new MetricPoint(ts, e.getValue().value(def.aggregation()), labels));
                }
                inBucket.sort(Comparator.comparing(p -> p.dimensions().values().toString()));
                points.addAll(inBucket);
            }
            return points;
        }
    }

    private static boolean matches(List<String> values, int[] idx, String[] expected) {
        for (int i = 0; i < idx.length; i++) {
            if (!values.get(idx[i]).equals(expected[i])) {
                return false;
            }
        }
        return true;
    }

    private static List<String> group(List<String> values, int[] idx) {
        if (idx.length == 0) {
            return List.of();
        }
        String[] g = new String[idx.length];
        for (int i = 0; i < idx.length; i++) {
            g[i] = values.get(idx[i]);
        }
        return Arrays.asList(g);
    }
}
