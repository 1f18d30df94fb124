package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.RejectedEvent;
import dev.tally.cloud.flink.AggregationFlinkJob;
import dev.tally.cloud.flink.FlinkJobMain;
import dev.tally.testkit.TestClock;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The Flink job on a cluster (a MiniCluster reached over REST, two task managers of one slot each, parallelism 2):
 * submitted by a leading engine ({@code tally.flink.mode=remote}) or from the job jar's main; and its recovery — a task
 * manager lost mid-stream, a stop with a savepoint and a restart from it — after which every count is exact: no
 * event lost, none counted twice, each late event listed once.
 */
@CloudStackTest
class FlinkRecoveryTest {
    private static final Instant START = Instant.parse("2024-03-04T10:00:00Z");
    private static FlinkTestCluster flink;

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at(START.plus(Duration.ofMinutes(55)));
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startFlink() throws Exception {
        flink = FlinkTestCluster.start(2, 1);
    }

    @AfterAll
    static void stopFlink() throws Exception {
        flink.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Tally engine(EmbeddedCloudStack stack, String namespace, Map<String, String> more) {
        Map<String, String> settings = stack.settingsFor(namespace, dir.resolve(namespace));
        settings.putAll(more);
        Tally tally = Tally.builder().backend("cloud").clock(clock).settings(settings).build();
        open.add(tally);
        tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
        return tally;
    }

    private JobClient startJob(EmbeddedCloudStack stack, String namespace) throws Exception {
        Map<String, String> settings = stack.settingsFor(namespace, dir.resolve(namespace + "-flink"));
        settings.put("tally.flink.checkpoint-interval", "200ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(flink.host(), flink.port());
        env.setParallelism(2);
        JobClient job = AggregationFlinkJob.start(env, settings);
        open.add(() -> job.cancel().get(60, TimeUnit.SECONDS));
        return job;
    }

    @Test
    void taskManagerLostMidStream_noEventLostNoneCountedTwice(EmbeddedCloudStack stack) throws Exception {
        String ns = EmbeddedCloudStack.freshNamespace();
        Tally tally = engine(stack, ns, Map.of("tally.aggregator.runtime", "external"));
        startJob(stack, ns);
        List<Event> events = events(0, 900);
        ingest(tally, events.subList(0, 300));
        tally.awaitIdle();

        ingest(tally, events.subList(300, 600));
        ingest(tally, late(0, 10));
        flink.cluster().terminateTaskManager(0).get(60, TimeUnit.SECONDS);
        flink.cluster().startTaskManager();
        ingest(tally, events.subList(600, 900));
        ingest(tally, late(10, 20));
        tally.awaitIdle(Duration.ofSeconds(120));

        assertExact(tally, events);
        assertThat(lateIds(tally)).as("each late event listed once").hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void stopWithSavepointAndRestart_resumesFromItExactly(EmbeddedCloudStack stack) throws Exception {
        String ns = EmbeddedCloudStack.freshNamespace();
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, String> remote = new java.util.HashMap<>(flink.remoteMode());
        remote.put("tally.flink.checkpoint-dir", checkpoints.toString());
        List<Event> events = events(0, 600);
        Tally first = engine(stack, ns, remote);
        ingest(first, events.subList(0, 300));
        ingest(first, late(0, 5));
        first.awaitIdle();
        first.close(); // the leader stops the job with a savepoint
        open.remove(first);

        Path marker = checkpoints.resolve("tally-latest-savepoint");
        assertThat(marker).exists();
        String savepoint = Files.readString(marker).trim();
        assertThat(Path.of(java.net.URI.create(savepoint))).isDirectory();

        Tally second = engine(stack, ns, remote); // leads, and resumes the job from that savepoint
        ingest(second, events.subList(300, 600));
        ingest(second, late(5, 10));
        second.awaitIdle(Duration.ofSeconds(60));

        assertExact(second, events);
        assertThat(lateIds(second)).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void jobJarMain_runsTheJobOnTheCluster(EmbeddedCloudStack stack) throws Exception {
        Path jar = Path.of("..", "engine-cloud", "target", "tally-flink-job.jar").toAbsolutePath().normalize();
        assumeThat(jar).as("built by mvn package (CI runs verify)").exists();
        String ns = EmbeddedCloudStack.freshNamespace();
        Tally tally = engine(stack, ns, Map.of("tally.aggregator.runtime", "external"));
        StringBuilder yaml = new StringBuilder("tally:\n");
        new TreeMap<>(stack.settingsFor(ns, dir.resolve("job"))).forEach((k, v) ->
                yaml.append("  ").append(k.substring("tally.".length())).append(": \"").append(v).append("\"\n"));
        Path settings = Files.writeString(dir.resolve("tally.yaml"), yaml);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(flink.host(), flink.port(),
                new Configuration(), jar.toString());

        JobClient job = FlinkJobMain.start(new String[] {"--settings", settings.toString(),
                "--set", "tally.flink.checkpoint-interval=200ms", "--set", "tally.flink.parallelism=2"}, env);
        open.add(() -> job.cancel().get(60, TimeUnit.SECONDS));
        List<Event> events = events(0, 200);
        ingest(tally, events);
        tally.awaitIdle(Duration.ofSeconds(60));

        assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        assertExact(tally, events);
    }

    private static void ingest(Tally tally, List<Event> events) {
        for (int from = 0; from < events.size(); from += 50) {
            tally.ingest(events.subList(from, Math.min(events.size(), from + 50)));
        }
    }

    /** On-time events {@code from..to}, one every 3 s from START (in order), purchases from three countries. */
    private static List<Event> events(int from, int to) {
        List<Event> events = new ArrayList<>();
        String[] countries = {"DE", "FR", "US"};
        for (int i = from; i < to; i++) {
            events.add(Event.builder("purchase").eventId("e-" + i).userId("u" + (i % 41))
                    .timestamp(START.plusSeconds(3L * i)).country(countries[i % 3]).property("amount", i % 7 + 0.5)
                    .build());
        }
        return events;
    }

    /** Events 40 minutes behind the on-time ones: late for the real-time windows. */
    private static List<Event> late(int from, int to) {
        List<Event> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(Event.builder("purchase").eventId("late-" + i).userId("u1").timestamp(START.plusSeconds(i))
                    .country("DE").property("amount", 1.0).build());
        }
        return events;
    }

    /** Every minute's count and the per-country revenue are those of the on-time events, computed here. */
    private static void assertExact(Tally tally, List<Event> events) {
        Instant to = START.plus(Duration.ofHours(1));
        Map<Instant, Double> expectedPerMinute = events.stream().collect(Collectors.groupingBy(
                e -> e.timestamp().truncatedTo(java.time.temporal.ChronoUnit.MINUTES), TreeMap::new,
                Collectors.summingDouble(e -> 1.0)));
        MetricResult perMinute = tally.query(MetricQuery.metric("event_count").between(START, to)
                .granularity(Granularity.MINUTE).build());
        Map<Instant, Double> actual = new TreeMap<>();
        perMinute.points().forEach(p -> actual.merge(p.timestamp(), p.value(), Double::sum));
        assertThat(actual).isEqualTo(expectedPerMinute);

        Map<String, Double> expectedRevenue = events.stream().collect(Collectors.groupingBy(
                e -> e.context().country(), TreeMap::new,
                Collectors.summingDouble(e -> ((Number) e.properties().get("amount")).doubleValue())));
        MetricResult revenue = tally.query(MetricQuery.metric("revenue").between(START, to)
                .granularity(Granularity.ALL).groupBy("country").build());
        Map<String, Double> actualRevenue = new TreeMap<>();
        revenue.points().forEach(p -> actualRevenue.put(p.dimensions().get("country"), p.value()));
        assertThat(actualRevenue).isEqualTo(expectedRevenue);
    }

    private static List<String> lateIds(Tally tally) {
        return tally.rejectedEvents(1000).stream().filter(r -> r.reason() == RejectedEvent.Reason.LATE)
                .map(RejectedEvent::eventId).sorted().toList();
    }
}
