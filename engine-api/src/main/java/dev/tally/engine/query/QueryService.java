package dev.tally.engine.query;

import dev.tally.api.Granularity;
import dev.tally.api.InvalidQueryException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.NotFoundException;
import dev.tally.engine.json.Json;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Answers metric queries from real-time windows: picks the window size that tiles the query's buckets,
 * merges windows (and dimension combinations) into buckets, and caches results keyed by the window
 * store's version, so a cached answer is never staler than the store. Thread-safe.
 */
public final class QueryService {
    public static final String SOURCE_REALTIME = "realtime";
    private static final Duration MAX_RANGE = Duration.ofDays(5 * 366);

    private final Backend backend;
    private final BiFunction<String, String, Optional<MetricDefinition>> metrics;
    private final Supplier<Instant> freshness;
    private final Duration cacheTtl;

    public QueryService(Backend backend,
                        BiFunction<String, String, Optional<MetricDefinition>> metrics,
                        Supplier<Instant> freshness, Duration cacheTtl) {
        this.backend = backend;
        this.metrics = metrics;
        this.freshness = freshness;
        this.cacheTtl = cacheTtl;
    }

    public MetricResult query(String projectId, MetricQuery q) {
        MetricDefinition def = metrics.apply(projectId, q.metric())
                .orElseThrow(() -> new NotFoundException("metric '" + q.metric() + "' is not defined"));
        validate(def, q);
        if (cacheTtl.isZero()) {
            return compute(projectId, def, q);
        }
        String cacheKey = cacheKey(projectId, q);
        Optional<byte[]> cached = backend.cache().get(cacheKey);
        if (cached.isPresent()) {
            return Json.MAPPER.readValue(cached.get(), MetricResult.class);
        }
        MetricResult result = compute(projectId, def, q);
        backend.cache().put(cacheKey, Json.MAPPER.writeValueAsBytes(result), cacheTtl);
        return result;
    }

    private String cacheKey(String projectId, MetricQuery q) {
        return "q:" + projectId + ":" + backend.windows().version(projectId) + ":" + q.metric() + ":"
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

    private MetricResult compute(String projectId, MetricDefinition def, MetricQuery q) {
        // Windows are at least a minute long: a range inside minutes is widened to whole minutes, and says so.
        Instant from = Instant.ofEpochMilli(Math.floorDiv(q.from().toEpochMilli(), 60_000L) * 60_000L);
        Instant to = Instant.ofEpochMilli(-Math.floorDiv(-q.to().toEpochMilli(), 60_000L) * 60_000L);
        List<String> notes = new ArrayList<>();
        if (!from.equals(q.from()) || !to.equals(q.to())) {
            notes.add("range widened to whole minutes: [" + from + ", " + to + ")");
        }
        BucketPlan plan = BucketPlan.of(from, to, q.granularity(), q.zone());
        List<String> dims = def.dimensions();
        int[] groupIdx = q.groupBy().stream().mapToInt(dims::indexOf).toArray();
        int[] filterIdx = new int[q.filters().size()];
        String[] filterVal = new String[q.filters().size()];
        int fi = 0;
        for (Map.Entry<String, String> f : q.filters().entrySet()) {
            filterIdx[fi] = dims.indexOf(f.getKey());
            filterVal[fi++] = f.getValue();
        }
        boolean folded = false;
        // One map per bucket from group values to the merged aggregate; without groupBy a single entry.
        List<Map<List<String>, Aggregate>> buckets = new ArrayList<>(plan.buckets());
        for (int i = 0; i < plan.buckets(); i++) {
            buckets.add(null);
        }
        boolean ungrouped = groupIdx.length == 0;
        List<WindowStore.Window> windows = backend.windows().range(projectId, def.name(), plan.source,
                plan.boundaries[0], plan.boundaries[plan.boundaries.length - 1]);
        int lastBucket = -1;
        Aggregate total = null;
        for (WindowStore.Window w : windows) {
            int b = plan.bucketOf(w.start());
            if (b < 0) {
                continue;
            }
            if (ungrouped && b != lastBucket) {
                total = bucketTotal(buckets, b);
                lastBucket = b;
            }
            for (Map.Entry<List<String>, Aggregate> e : w.values().entrySet()) {
                List<String> values = e.getKey();
                if (filterIdx.length > 0 && !matches(values, filterIdx, filterVal)) {
                    continue;
                }
                if (!values.isEmpty() && values.get(0).equals(WindowKey.OTHER_VALUE)) {
                    folded = true;
                }
                if (ungrouped) {
                    total.merge(e.getValue());
                    continue;
                }
                Map<List<String>, Aggregate> bucket = buckets.get(b);
                if (bucket == null) {
                    bucket = new HashMap<>();
                    buckets.set(b, bucket);
                }
                bucket.computeIfAbsent(group(values, groupIdx), g -> Aggregate.empty()).merge(e.getValue());
            }
        }
        List<MetricPoint> points = new ArrayList<>();
        for (int b = 0; b < buckets.size(); b++) {
            Map<List<String>, Aggregate> bucket = buckets.get(b);
            if (bucket == null) {
                continue;
            }
            Instant ts = Instant.ofEpochMilli(plan.boundaries[b]);
            List<MetricPoint> inBucket = new ArrayList<>(bucket.size());
            for (Map.Entry<List<String>, Aggregate> e : bucket.entrySet()) {
                if (e.getValue().count() == 0) {
                    continue; // every window of the bucket was filtered out
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
        if (folded) {
            notes.add("some dimension combinations exceeded the per-window cap and are reported as "
                    + WindowKey.OTHER_VALUE);
        }
        return new MetricResult(def.name(), q.granularity(), SOURCE_REALTIME, freshness.get(), points, notes);
    }

    private static Aggregate bucketTotal(List<Map<List<String>, Aggregate>> buckets, int b) {
        Map<List<String>, Aggregate> bucket = buckets.get(b);
        if (bucket == null) {
            bucket = new HashMap<>(2);
            bucket.put(List.of(), Aggregate.empty());
            buckets.set(b, bucket);
        }
        return bucket.get(List.of());
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
