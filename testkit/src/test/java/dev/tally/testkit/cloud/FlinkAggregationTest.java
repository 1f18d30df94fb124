package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.api.Granularity;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.RejectedEvent;
import dev.tally.api.Aggregation;
import dev.tally.api.Event;
import dev.tally.cloud.flink.AggregationFlinkJob;
import dev.tally.spi.WindowKey;
import dev.tally.testkit.TestClock;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Flink aggregation job on a MiniCluster (parallelism 2) against the embedded stack: an engine with
 * {@code tally.aggregator.runtime=external} ingests, the job aggregates, and the windows it writes answer queries
 * exactly as those of an engine aggregating in-process over the same events, with the same dimension
 * combinations folded into {@code __other__} by the shared cap.
 */
@CloudStackTest
class FlinkAggregationTest {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkAggregationTest.class);
    private static final Instant START = Instant.parse("2024-03-04T10:00:00Z");
    private static final List<MetricDefinition> METRICS = List.of(
            MetricDefinition.sum("revenue", "purchase", "amount", "country"),
            MetricDefinition.count("views_by_plan", "view", "properties.plan"),
            MetricDefinition.of("max_amount", "purchase", Aggregation.MAX, "amount"),
            MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null));

    /** Purchases come from four countries (one of them none) per minute: the fourth is folded into __other__. */
    private static final String MAX_COMBINATIONS = "3";

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at(START.plus(Duration.ofMinutes(55)));
    private final List<AutoCloseable> open = new ArrayList<>();
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        if (job != null) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private Tally engine(EmbeddedCloudStack stack, String namespace, String runtime) {
        Tally tally = Tally.builder().backend("cloud").clock(clock)
                .settings(stack.settingsFor(namespace, dir.resolve(namespace)))
                .setting("tally.aggregator.runtime", runtime)
                .setting("tally.windows.max-combinations", MAX_COMBINATIONS).build();
        open.add(tally);
        METRICS.forEach(tally::defineMetric);
        return tally;
    }

    private JobClient startJob(EmbeddedCloudStack stack, String namespace) throws Exception {
        return startJob(stack, namespace, Map.of());
    }

    private JobClient startJob(EmbeddedCloudStack stack, String namespace, Map<String, String> more) throws Exception {
        Map<String, String> settings = stack.settingsFor(namespace, dir.resolve(namespace + "-flink"));
        settings.putAll(more);
        settings.put("tally.flink.checkpoint-interval", "200ms");
        settings.put("tally.windows.max-combinations", MAX_COMBINATIONS);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        return AggregationFlinkJob.start(env, settings);
    }

    @Test
    void flinkWindows_answerQueriesAsTheInProcessAggregatorDoes(EmbeddedCloudStack stack) throws Exception {
        String flinkNs = EmbeddedCloudStack.freshNamespace();
        Tally viaFlink = engine(stack, flinkNs, "external");
        Tally inProcess = engine(stack, EmbeddedCloudStack.freshNamespace(), "in-process");
        long started = System.nanoTime();
        job = startJob(stack, flinkNs);

        List<Event> events = events();
        for (int from = 0; from < events.size(); from += 100) {
            List<Event> batch = events.subList(from, Math.min(events.size(), from + 100));
            viaFlink.ingest(batch);
            inProcess.ingest(batch);
        }
        viaFlink.awaitIdle();
        LOG.info("job start + {} events aggregated by Flink in {} ms", events.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        inProcess.awaitIdle();

        Instant from = START;
        Instant to = START.plus(Duration.ofHours(1));
        assertThat(total(viaFlink, "event_count", from, to)).isEqualTo(LATE_AFTER + 0.0);
        for (String metric : List.of("event_count", "unique_users", "revenue", "views_by_plan", "max_amount", "buyers")) {
            for (Granularity g : List.of(Granularity.MINUTE, Granularity.FIVE_MINUTES, Granularity.HOUR)) {
                MetricQuery q = MetricQuery.metric(metric).between(from, to).granularity(g).build();
                MetricResult expected = inProcess.query(q);
                assertThat(viaFlink.query(q).points()).as(metric + " by " + g).isEqualTo(expected.points())
                        .isNotEmpty();
            }
        }
        MetricQuery byCountry = MetricQuery.metric("revenue").between(from, to).granularity(Granularity.FIVE_MINUTES)
                .groupBy("country").build();
        assertThat(viaFlink.query(byCountry).points()).isEqualTo(inProcess.query(byCountry).points())
                .anySatisfy(p -> assertThat(p.dimensions()).containsEntry("country", WindowKey.OTHER_VALUE));

        assertThat(lateIds(viaFlink)).hasSize(events.size() - LATE_AFTER).isEqualTo(lateIds(inProcess));
    }

    @Test
    void metricDefinedWhileTheJobRuns_countsTheEventsAppendedRightAfterIt(EmbeddedCloudStack stack) throws Exception {
        String ns = EmbeddedCloudStack.freshNamespace();
        Tally tally = engine(stack, ns, "external");
        job = startJob(stack, ns, Map.of("tally.flink.metric-reload-interval", "1h")); // no periodic reload
        tally.ingest(Event.builder("signup").eventId("before").userId("u0").timestamp(START).build());
        tally.awaitIdle(); // the job runs and has read the definitions without "signups"

        tally.defineMetric(MetricDefinition.count("signups", "signup", "country"));
        for (int i = 0; i < 5; i++) {
            tally.ingest(Event.builder("signup").eventId("after-" + i).userId("u" + i).country("DE")
                    .timestamp(START.plusSeconds(i)).build());
        }
        tally.awaitIdle();

        assertThat(total(tally, "signups", START, START.plus(Duration.ofHours(1)))).isEqualTo(5.0);
    }

    @Test
    void replay_isRefusedWhileAnExternalJobAggregates(EmbeddedCloudStack stack) {
        Tally tally = engine(stack, EmbeddedCloudStack.freshNamespace(), "external");

        assertThatThrownBy(() -> tally.replay(START)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tally.aggregator.runtime");
    }

    /** Events after this index are 30 minutes or more behind the project's latest: late beyond the 5m lateness. */
    private static final int LATE_AFTER = 600;

    /**
     * 600 on-time events over 50 minutes of one hour (no hour is closed, so queries read the real-time windows, not
     * rollups), slightly out of order, of three types with dimensions and values; then 20 events from the first 20
     * minutes, which arrive after the project's event time moved past them.
     */
    private static List<Event> events() {
        List<Event> events = new ArrayList<>();
        String[] countries = {"DE", "FR", "US", null};
        for (int i = 0; i < LATE_AFTER; i++) {
            long second = i * 5L + (i % 5 == 0 ? -30 : 0); // some arrive up to 30 s out of order
            Instant at = START.plusSeconds(Math.max(0, second));
            String type = switch (i % 3) {
                case 0 -> "purchase";
                case 1 -> "view";
                default -> "signup";
            };
            Event.Builder e = Event.builder(type).eventId("e-" + i).userId("u" + (i % 37)).timestamp(at);
            if (countries[i % 4] != null) {
                e.country(countries[i % 4]);
            }
            if (type.equals("purchase")) {
                e.property("amount", (i % 11) * 2.5);
            } else if (type.equals("view")) {
                e.property("plan", i % 2 == 0 ? "free" : "pro");
            }
            events.add(e.build());
        }
        for (int i = 0; i < 20; i++) {
            events.add(Event.builder("purchase").eventId("late-" + i).userId("u" + i)
                    .timestamp(START.plusSeconds(60L * i)).property("amount", 1.0).build());
        }
        return events;
    }

    private static double total(Tally engine, String metric, Instant from, Instant to) {
        MetricResult r = engine.query(MetricQuery.metric(metric).between(from, to).granularity(Granularity.ALL).build());
        return r.points().stream().mapToDouble(p -> p.value() == null ? 0 : p.value()).sum();
    }

    private static List<String> lateIds(Tally engine) {
        return engine.rejectedEvents(1000).stream().filter(r -> r.reason() == RejectedEvent.Reason.LATE)
                .map(RejectedEvent::eventId).sorted().toList();
    }
}
