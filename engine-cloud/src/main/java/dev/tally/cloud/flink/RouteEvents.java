package dev.tally.cloud.flink;

import dev.tally.api.MetricDefinition;
import dev.tally.cloud.AggregationStores;
import dev.tally.engine.aggregate.CombinationCap;
import dev.tally.engine.aggregate.Lateness;
import dev.tally.engine.aggregate.MetricPlan;
import dev.tally.engine.codec.EventCodec;
import dev.tally.engine.codec.StoredEvent;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed by project: decides, as the in-process aggregator does, whether an event is on time, and turns each
 * on-time event into its {@link Contribution}s, one per metric it matches and window size, with the engine's own
 * {@link MetricPlan}s (built-ins and the project's defined metrics).
 *
 * <p>Lateness is the in-process rule, per project: an event is late when it is more than the allowed lateness
 * behind the latest event time of its project seen so far (kept in keyed state, so it survives a restore), or
 * older than the real-time retention at its append. Late events go to the {@link #LATE} side output. Because a
 * project's records come in log order (one partition by default), the decisions are the in-process
 * aggregator's, event for event; "now" is the record's append time, so they do not depend on when the job runs.
 *
 * <p>Metric definitions are read from the catalog at open, again as soon as a record carries a newer metrics version
 * than the one read (engines stamp each record with the catalog's version at its append, so an event appended after a
 * metric was defined is aggregated with it), and every {@code tally.flink.metric-reload-interval} as a fallback.
 */
final class RouteEvents extends KeyedProcessFunction<String, LogEntry, Contribution> {
    static final OutputTag<LateEvent> LATE = new OutputTag<>("late-events", Types.POJO(LateEvent.class)) {
    };
    private static final Logger LOG = LoggerFactory.getLogger(RouteEvents.class);
    private static final WindowSize[] SIZES = WindowSize.values();
    private static final long serialVersionUID = 1L;

    private final JobSettings settings;
    private transient AggregationStores stores;
    private transient ValueState<Long> watermark;
    private transient MapState<String, CombinationCap<String>> caps;
    private transient int maxCombinations;
    private transient Map<String, List<MetricPlan>> plans;
    private transient List<MetricPlan> builtIns;
    private transient long loadedAt;
    private transient long loadedVersion;
    private transient Lateness lateness;

    RouteEvents(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
        watermark = getRuntimeContext().getState(new ValueStateDescriptor<>("project-watermark", Types.LONG));
        caps = getRuntimeContext().getMapState(new MapStateDescriptor<>("dimension-caps", Types.STRING,
                TypeInformation.of(new TypeHint<CombinationCap<String>>() {
                })));
        lateness = new Lateness(settings.aggregator());
        maxCombinations = settings.aggregator().maxCombinations();
        builtIns = MetricPlan.BUILT_INS.stream().map(MetricPlan::new).toList();
        stores = settings.openStores();
        loadMetrics();
    }

    @Override
    public void close() {
        if (stores != null) {
            stores.close();
        }
    }

    private void loadMetrics() {
        Map<String, List<MetricDefinition>> defined;
        long version;
        try {
            version = stores.metricsVersion(); // before the definitions: they include at least this version's
            defined = stores.catalog().allMetrics();
        } catch (RuntimeException e) {
            if (plans == null) {
                throw e;
            }
            LOG.warn("cannot reload metric definitions, keeping the {} projects' known ones: {}", plans.size(),
                    e.toString());
            loadedAt = System.currentTimeMillis();
            return;
        }
        Map<String, List<MetricPlan>> next = new HashMap<>();
        defined.forEach((project, defs) -> {
            List<MetricPlan> list = new ArrayList<>(builtIns);
            defs.forEach(d -> list.add(new MetricPlan(d)));
            next.put(project, List.copyOf(list));
        });
        plans = next;
        loadedAt = System.currentTimeMillis();
        if (version > loadedVersion) {
            LOG.debug("metric definitions at version {} loaded", version);
        }
        loadedVersion = Math.max(loadedVersion, version);
    }

    @Override
    public void processElement(LogEntry entry, Context ctx, Collector<Contribution> out) throws Exception {
        if (entry.metricsVersion() > loadedVersion) {
            loadMetrics(); // the record was appended after a definition this instance does not know yet
            if (entry.metricsVersion() > loadedVersion) {
                LOG.warn("record at {} offset {} names metrics version {}, the catalog has {}: using those",
                        entry.partition(), entry.offset(), entry.metricsVersion(), loadedVersion);
                loadedVersion = entry.metricsVersion();
            }
        } else if (System.currentTimeMillis() - loadedAt > settings.metricReloadMillis) {
            loadMetrics();
        }
        StoredEvent se;
        try {
            se = EventCodec.decode(entry.payload());
        } catch (RuntimeException e) {
            LOG.error("skipping an unreadable log record at {} offset {}: {}", entry.partition(), entry.offset(),
                    e.toString());
            return;
        }
        if (se.imported()) {
            return; // backfill goes to the archive and rollups only
        }
        long ts = se.event().timestamp().toEpochMilli();
        Long wm = watermark.value();
        String late = lateness.why(ts, wm == null ? Long.MIN_VALUE : wm, entry.appendMillis());
        if (late != null) {
            ctx.output(LATE, new LateEvent(se.projectId(), se.event().eventId(), se.event().eventType(),
                    Lateness.rejection(late), entry.appendMillis()));
            return;
        }
        if (wm == null || ts > wm) {
            watermark.update(ts);
            if (wm != null && WindowSize.ONE_HOUR.startOf(ts) > WindowSize.ONE_HOUR.startOf(wm)) {
                forgetClosedWindows(ts);
            }
        }
        String projectId = se.projectId();
        for (MetricPlan plan : plans.getOrDefault(projectId, builtIns)) {
            if (!plan.matches(se.event())) {
                continue;
            }
            List<String> dims = plan.dimensionValues(se.event());
            String encoded = WindowKey.encodeDimensions(dims);
            SeriesKey series = new SeriesKey(projectId, plan.name(), encoded);
            SeriesKey other = null;
            CombinationCap<String> cap = dims.isEmpty() ? null : caps.get(plan.name());
            long changes = 0;
            if (cap == null && !dims.isEmpty()) {
                cap = new CombinationCap<>(maxCombinations);
            }
            if (cap != null) {
                changes = cap.changes();
            }
            String user = plan.user(se.event());
            double value = plan.value(se.event());
            for (WindowSize size : SIZES) {
                long start = size.startOf(ts);
                SeriesKey target = series;
                if (cap != null && !CombinationCap.isOtherBucket(dims) && !cap.admit(size, start, encoded)) {
                    if (other == null) {
                        other = new SeriesKey(projectId, plan.name(),
                                WindowKey.encodeDimensions(CombinationCap.otherBucket(dims.size())));
                    }
                    target = other;
                }
                out.collect(new Contribution(target, size.ordinal(), start, user, value));
            }
            if (cap != null && cap.changes() != changes) {
                caps.put(plan.name(), cap);
            }
        }
    }

    /** Drops what the dimension caps remember of windows this project's events can no longer reach. */
    private void forgetClosedWindows(long watermarkMillis) throws Exception {
        long before = watermarkMillis - settings.latenessMillis - WindowSize.ONE_HOUR.millis();
        List<Map.Entry<String, CombinationCap<String>>> entries = new ArrayList<>();
        caps.entries().forEach(entries::add);
        for (Map.Entry<String, CombinationCap<String>> e : entries) {
            e.getValue().forgetBefore(before);
            caps.put(e.getKey(), e.getValue());
        }
    }
}
