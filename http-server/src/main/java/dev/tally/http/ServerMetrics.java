package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.IngestResult;
import dev.tally.api.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The server's meters, one Prometheus registry per server (no global registry):
 * {@code tally_ingest_events_total{status}}, {@code tally_ingest_rejections_total{code}},
 * {@code tally_query_latency_seconds} (histogram), {@code tally_http_requests_seconds{method,route,status}},
 * worker pool gauges and the usual JVM meters. Thread-safe.
 */
final class ServerMetrics implements AutoCloseable {
    /** Reject codes come from validators; past this many distinct ones they are counted as {@code other}. */
    private static final int MAX_CODES = 200;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;
    private final Map<String, Counter> rejectCodes = new ConcurrentHashMap<>();
    private final java.util.Map<String, Timer> requestTimers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer queryOk;
    private final Timer queryFailed;

    ServerMetrics() {
        accepted = events("accepted");
        duplicates = events("duplicate");
        rejected = events("rejected");
        queryOk = queryTimer("ok");
        queryFailed = queryTimer("error");
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    void bindWorkers(EngineExecutor executor, SingleEventCombiner combiner, Supplier<Number> inflight) {
        Gauge.builder("tally.http.ingest.waiting", combiner, SingleEventCombiner::waiting).strongReference(true)
                .description("single-event requests waiting to be ingested together").register(registry);
        Gauge.builder("tally.http.worker.queue", executor, EngineExecutor::queued).strongReference(true)
                .description("engine calls waiting for a worker").register(registry);
        Gauge.builder("tally.http.worker.active", executor, EngineExecutor::active).strongReference(true)
                .description("engine calls running").register(registry);
        Gauge.builder("tally.http.inflight", inflight, s -> s.get().doubleValue()).strongReference(true)
                .description("requests being answered").register(registry);
    }

    /** Aggregation lag and failure state of the engine, read at scrape time. */
    void bindEngine(Tally tally) {
        Gauge.builder("tally.aggregator.lag", tally, t -> t.health().lag().toMillis() / 1000.0).strongReference(true)
                .baseUnit("seconds").description("age of the oldest acknowledged batch not yet aggregated")
                .register(registry);
        Gauge.builder("tally.aggregator.failing", tally, t -> t.health().lastFailure() == null ? 0 : 1)
                .strongReference(true).description("1 while the aggregator's latest step failed (it retries)")
                .register(registry);
    }

    void recordIngest(BatchResult result) {
        for (IngestResult r : result.results()) {
            switch (r.status()) {
                case ACCEPTED -> accepted.increment();
                case DUPLICATE -> duplicates.increment();
                case REJECTED -> {
                    rejected.increment();
                    for (Violation v : ((IngestResult.Rejected) r).violations()) {
                        rejectCounter(v.code()).increment();
                    }
                }
            }
        }
    }

    void recordQuery(Duration took, boolean ok) {
        (ok ? queryOk : queryFailed).record(took);
    }

    void recordRequest(String method, String route, int status, long nanos) {
        // Looked up by a plain key: building and registering a meter id per request cost the event loop more than
        // recording. Methods, routes and statuses are bounded sets, so the map stays small.
        String key = method + ' ' + route + ' ' + status;
        Timer timer = requestTimers.get(key);
        if (timer == null) {
            timer = requestTimers.computeIfAbsent(key, k -> Timer.builder("tally.http.requests")
                    .description("HTTP requests answered")
                    .tag("method", method)
                    .tag("route", route)
                    .tag("status", Integer.toString(status))
                    .register(registry));
        }
        timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private Counter events(String status) {
        return Counter.builder("tally.ingest.events").description("events answered by the ingest API, by outcome")
                .tag("status", status).register(registry);
    }

    private Counter rejectCounter(String code) {
        String tag = rejectCodes.size() >= MAX_CODES && !rejectCodes.containsKey(code) ? "other" : code;
        return rejectCodes.computeIfAbsent(tag, c -> Counter.builder("tally.ingest.rejections")
                .description("reasons of rejected events, by violation code").tag("code", c).register(registry));
    }

    private Timer queryTimer(String outcome) {
        return Timer.builder("tally.query.latency").description("metric query latency")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }
}
