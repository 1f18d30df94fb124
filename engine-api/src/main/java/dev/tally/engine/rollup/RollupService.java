package dev.tally.engine.rollup;

import dev.tally.api.Event;
import dev.tally.api.MetricDefinition;
import dev.tally.engine.aggregate.MetricPlan;
import dev.tally.engine.archive.ArchiveLayout;
import dev.tally.engine.archive.ParquetIo;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.spi.Warehouse;
import dev.tally.spi.Warehouse.AggregateRow;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.spi.Warehouse.RollupTask;
import dev.tally.spi.WindowKey;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The batch rollup: reads an hour's archived Parquet files, folds the events into every metric of the
 * project with the real-time path's own {@link MetricPlan}s, and replaces the hour's {@code hour} rows and
 * its day's {@code day} rows (the day merged from its hours' states, so distinct counts stay right) in
 * {@code metric_aggregates}. Authoritative over real-time values: it counts events that arrived too late for
 * their window, and imported backfill. Thread-safe.
 */
public final class RollupService {
    public static final String HOUR = "hour";
    public static final String DAY = "day";
    private static final Logger LOG = LoggerFactory.getLogger(RollupService.class);

    private final Backend backend;
    private final Function<String, List<MetricDefinition>> metrics;
    private final int maxCombinations;

    /**
     * @param metrics every metric of a project, built-ins included
     */
    public RollupService(Backend backend, Function<String, List<MetricDefinition>> metrics, int maxCombinations) {
        this.backend = backend;
        this.metrics = metrics;
        this.maxCombinations = maxCombinations;
    }

    /** Rolls one hour up; returns how many events it read. */
    public long rollup(RollupTask task) {
        return rollup(List.of(task));
    }

    /**
     * Rolls up hours of one project and one UTC day together (one read of the day's other hour rows, one
     * transaction); returns how many events were read.
     */
    public long rollup(List<RollupTask> sameDay) {
        String projectId = sameDay.get(0).projectId();
        Instant day = sameDay.get(0).hour().truncatedTo(ChronoUnit.DAYS);
        List<MetricPlan> plans = plans(projectId);
        Set<Instant> hours = new HashSet<>();
        List<AggregateRow> hourRows = new ArrayList<>();
        List<Map<List<String>, Aggregate>> daily = new ArrayList<>(plans.size());
        for (int i = 0; i < plans.size(); i++) {
            daily.add(new HashMap<>());
        }
        long events = 0;
        for (RollupTask task : sameDay) {
            if (!task.projectId().equals(projectId) || !task.hour().truncatedTo(ChronoUnit.DAYS).equals(day)) {
                throw new IllegalArgumentException("rollup tasks must share one project and UTC day: " + sameDay);
            }
            hours.add(task.hour());
            List<Map<List<String>, Aggregate>> hourly = new ArrayList<>(plans.size());
            for (int i = 0; i < plans.size(); i++) {
                hourly.add(new HashMap<>());
            }
            for (ArchivedFile f : files(projectId, task.hour())) {
                events += read(f, e -> {
                    for (int i = 0; i < plans.size(); i++) {
                        MetricPlan plan = plans.get(i);
                        if (plan.matches(e)) {
                            plan.apply(slot(hourly.get(i), plan, plan.dimensionValues(e)), e);
                        }
                    }
                });
            }
            for (int i = 0; i < plans.size(); i++) {
                MetricPlan plan = plans.get(i);
                hourRows.addAll(rows(projectId, plan, HOUR, task.hour(), hourly.get(i)));
                Map<List<String>, Aggregate> d = daily.get(i);
                hourly.get(i).forEach((dims, a) -> slot(d, plan, dims).merge(a));
            }
        }
        List<AggregateRow> dayRows = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            MetricPlan plan = plans.get(i);
            Map<List<String>, Aggregate> d = daily.get(i);
            for (AggregateRow r : backend.warehouse().aggregates(projectId, plan.name(), HOUR, day,
                    day.plus(1, ChronoUnit.DAYS))) {
                if (!hours.contains(r.timestamp())) {
                    slot(d, plan, values(plan.definition(), r.dimensions())).merge(r.aggregate());
                }
            }
            dayRows.addAll(rows(projectId, plan, DAY, day, d));
        }
        backend.warehouse().commitRollup(sameDay, hourRows, dayRows);
        LOG.debug("rolled up {} hour(s) of {} for {}: {} events", sameDay.size(), day, projectId, events);
        return events;
    }

    /** Rolls up every archived hour of one UTC day of a project (on demand); returns the events read. */
    public long rollupDay(String projectId, LocalDate day) {
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<Instant, Long> maxFileByHour = new LinkedHashMap<>();
        for (ArchivedFile f : backend.warehouse().archivedFiles(projectId, from, from.plus(1, ChronoUnit.DAYS))) {
            if (!f.hour().isBefore(from)) {
                maxFileByHour.merge(f.hour(), f.id(), Math::max);
            }
        }
        List<RollupTask> tasks = new ArrayList<>();
        maxFileByHour.forEach((hour, maxFile) -> tasks.add(new RollupTask(projectId, hour, maxFile)));
        return tasks.isEmpty() ? 0 : rollup(tasks);
    }

    /** Every event of a project's archived files overlapping {@code [from, to)}, hour by hour. */
    public long scan(String projectId, Instant from, Instant to, Consumer<Event> sink) {
        long n = 0;
        for (ArchivedFile f : backend.warehouse().archivedFiles(projectId, from, to)) {
            n += read(f, e -> {
                if (!e.timestamp().isBefore(from) && e.timestamp().isBefore(to)) {
                    sink.accept(e);
                }
            });
        }
        return n;
    }

    private List<ArchivedFile> files(String projectId, Instant hour) {
        List<ArchivedFile> out = new ArrayList<>();
        for (ArchivedFile f : backend.warehouse().archivedFiles(projectId, hour, hour.plusSeconds(3600))) {
            if (f.hour().equals(hour)) {
                out.add(f);
            }
        }
        return out;
    }

    private long read(ArchivedFile f, Consumer<Event> sink) {
        long n = 0;
        try (ParquetIo.RowReader reader = ParquetIo.reader(() -> backend.objects().open(f.key()))) {
            GenericRecord r;
            while ((r = reader.read()) != null) {
                sink.accept(ArchiveLayout.toEvent(r));
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read archived file " + f.key(), e);
        }
        return n;
    }

    private List<MetricPlan> plans(String projectId) {
        List<MetricPlan> plans = new ArrayList<>();
        for (MetricDefinition d : metrics.apply(projectId)) {
            plans.add(new MetricPlan(d));
        }
        return plans;
    }

    /** The aggregate of a dimension combination, or of {@code __other__} once the cap is reached. */
    private Aggregate slot(Map<List<String>, Aggregate> acc, MetricPlan plan, List<String> dims) {
        Aggregate a = acc.get(dims);
        if (a != null) {
            return a;
        }
        if (acc.size() >= maxCombinations && !dims.isEmpty()) {
            List<String> other = new ArrayList<>(dims.size());
            for (int i = 0; i < dims.size(); i++) {
                other.add(WindowKey.OTHER_VALUE);
            }
            return acc.computeIfAbsent(List.copyOf(other), k -> Aggregate.empty());
        }
        a = Aggregate.empty();
        acc.put(dims, a);
        return a;
    }

    /**
     * The rows of one period: one per dimension combination, plus pre-merged projections so the common
     * questions read few rows — {@link Warehouse#allOf} (every combination merged) and, with two or more
     * dimensions, {@link Warehouse#byDimension} (merged per value of one dimension).
     */
    private static List<AggregateRow> rows(String projectId, MetricPlan plan, String granularity, Instant at,
                                           Map<List<String>, Aggregate> acc) {
        MetricDefinition def = plan.definition();
        List<String> names = def.dimensions();
        List<AggregateRow> rows = new ArrayList<>(acc.size() + 8);
        acc.forEach((dims, a) -> {
            Map<String, String> named = new LinkedHashMap<>();
            for (int d = 0; d < dims.size(); d++) {
                named.put(names.get(d), dims.get(d));
            }
            rows.add(row(projectId, def, granularity, at, named, a));
        });
        if (names.isEmpty() || acc.isEmpty()) {
            return rows;
        }
        Aggregate all = Aggregate.empty();
        acc.values().forEach(all::merge);
        rows.add(row(projectId, def, Warehouse.allOf(granularity), at, Map.of(), all));
        for (int d = 0; names.size() > 1 && d < names.size(); d++) {
            Map<String, Aggregate> perValue = new HashMap<>();
            for (Map.Entry<List<String>, Aggregate> e : acc.entrySet()) {
                perValue.computeIfAbsent(e.getKey().get(d), v -> Aggregate.empty()).merge(e.getValue());
            }
            String name = names.get(d);
            String projection = Warehouse.byDimension(granularity, d);
            perValue.forEach((value, a) -> rows.add(row(projectId, def, projection, at, Map.of(name, value), a)));
        }
        return rows;
    }

    private static AggregateRow row(String projectId, MetricDefinition def, String granularity, Instant at,
                                    Map<String, String> dimensions, Aggregate a) {
        return new AggregateRow(projectId, def.name(), def.aggregation().wireName(), granularity, at,
                a.value(def.aggregation()), dimensions, a);
    }

    /** A row's dimension values in the metric's definition order. */
    public static List<String> values(MetricDefinition def, Map<String, String> named) {
        List<String> out = new ArrayList<>(def.dimensions().size());
        for (String d : def.dimensions()) {
            String v = named.get(d);
            out.add(v == null ? WindowKey.NULL_VALUE : v);
        }
        return List.copyOf(out);
    }
}
