package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.ProjectOperations;
import dev.tally.cloud.flink.AggregationFlinkJob;
import dev.tally.testkit.EventGenerator;
import dev.tally.testkit.cloud.EmbeddedCloudStack;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static dev.tally.bench.BenchMain.OUT;

/**
 * The Flink aggregation job against the in-process aggregator on the same Kafka topics of the embedded stack: the
 * events are appended first (by an ingest-only engine), then each runner aggregates all of them from the start of
 * the log (the window store and checkpoint are wiped between runs), timed until the {@code aggregator} checkpoint
 * covers the log's end. Then, with the job running: the start latency of the job on a MiniCluster and freshness
 * (acknowledged → counted by a query of the Redis windows) under background load.
 */
@Command(name = "flink", mixinStandardHelpOptions = true,
        description = "Flink job vs in-process aggregator on the same topics (events/s, per slot), job start, freshness")
final class FlinkBench implements Callable<Integer> {
    private static final String NAMESPACE = "fbench";

    @Option(names = "--events", defaultValue = "500000", description = "events appended and aggregated per run")
    int events = 500_000;

    @Option(names = "--batch", defaultValue = "500", description = "events per append")
    int batch = 500;

    @Option(names = "--probes", defaultValue = "200", description = "freshness samples")
    int probes = 200;

    @Option(names = "--rate", defaultValue = "5000", description = "background events/s during the freshness probes")
    int rate = 5_000;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", description = "tally.flink.checkpoint-interval")
    String checkpointInterval = "1s";

    private final InstantSource clock = Clock.system(ZoneOffset.UTC);

    @Override
    public Integer call() throws Exception {
        Path dir = BenchMain.tempDir("tally-bench-flink-");
        try (EmbeddedCloudStack stack = EmbeddedCloudStack.start(dir.resolve("stack"))) {
            Map<String, String> settings = stack.settingsFor(NAMESPACE, dir.resolve("engine"));
            settings.put("tally.flink.checkpoint-interval", checkpointInterval);
            // Aggregation alone: awaitIdle would also wait for the in-process leader's archive roll (1 min).
            settings.put("tally.archive.enabled", "false");
            List<String> projects = projectsOnBothSubtasks();
            Map<String, String> ingestOnly = new HashMap<>(settings);
            ingestOnly.put("tally.cloud.role", "ingest");
            try (Tally ingest = Tally.builder().backend("cloud").clock(clock).settings(ingestOnly).build()) {
                for (String p : projects) {
                    ingest.createProject(p);
                    BenchMain.defineWorkload(ingest.project(p));
                }
                long t0 = System.nanoTime();
                append(ingest, projects, events, "load");
                OUT.printf("appended %,d events of %d projects (%s, one partition each) in %.1f s%n", events,
                        projects.size(), projects, (System.nanoTime() - t0) / 1e9);
            }

            double inProcess = inProcessRun(stack, settings);
            OUT.printf("in-process aggregator (one engine thread): %,.0f events/s%n", inProcess);
            for (int parallelism : new int[] {1, 2}) {
                double flink = flinkRun(stack, settings, parallelism);
                OUT.printf("Flink job, parallelism %d (MiniCluster, %d slot%s): %,.0f events/s = %,.0f per slot "
                        + "(%.0f %% of in-process)%n", parallelism, parallelism, parallelism == 1 ? "" : "s", flink,
                        flink / parallelism, 100 * flink / inProcess);
            }
            liveJob(stack, settings, projects.get(0));
        } finally {
            BenchMain.delete(dir);
        }
        return 0;
    }

    /**
     * Two project ids that Flink's key groups put on different subtasks at parallelism 2 (the job keys its routing
     * by project): the load of two projects spreads over both slots, as many projects would.
     */
    private static List<String> projectsOnBothSubtasks() {
        String[] bySubtask = new String[2];
        for (int i = 0; bySubtask[0] == null || bySubtask[1] == null; i++) {
            String id = "shop" + i;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(id,
                    KeyGroupRangeAssignment.computeDefaultMaxParallelism(2), 2);
            if (bySubtask[subtask] == null) {
                bySubtask[subtask] = id;
            }
        }
        return List.of(bySubtask[0], bySubtask[1]);
    }

    private void append(Tally tally, List<String> projects, int n, String run) {
        List<EventGenerator> generators = new ArrayList<>();
        for (int p = 0; p < projects.size(); p++) {
            generators.add(BenchMain.workload(p, run + "-" + p));
        }
        for (int sent = 0; sent < n; sent += batch) {
            int p = (sent / batch) % projects.size();
            tally.project(projects.get(p)).ingest(generators.get(p).batchAt(batch, clock.instant()));
        }
    }

    /**
     * The in-process aggregator of a leading engine (archive off), from an empty window store; events/s from the
     * engine's open until caught up.
     */
    private double inProcessRun(EmbeddedCloudStack stack, Map<String, String> settings) throws Exception {
        wipeWindows(stack);
        try (Tally observer = observer(settings)) {
            try (Tally leader = Tally.builder().backend("cloud").clock(clock).settings(settings).build()) {
                long t0 = System.nanoTime(); // opened; it is elected and starts aggregating within ~0.2 s
                observer.awaitIdle(Duration.ofMinutes(20));
                return events / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** The Flink job on a MiniCluster of {@code parallelism} slots, from an empty window store; events/s. */
    private double flinkRun(EmbeddedCloudStack stack, Map<String, String> settings, int parallelism) throws Exception {
        wipeWindows(stack);
        try (Tally observer = observer(settings)) {
            long t0 = System.nanoTime();
            JobClient job = AggregationFlinkJob.start(StreamExecutionEnvironment.createLocalEnvironment(parallelism),
                    settings);
            long submitted = System.nanoTime();
            try {
                observer.awaitIdle(Duration.ofMinutes(20));
                long done = System.nanoTime();
                OUT.printf("  parallelism %d: MiniCluster start + submission %,d ms, then %.1f s to aggregate%n",
                        parallelism, (submitted - t0) / 1_000_000, (done - submitted) / 1e9);
                return events / ((done - submitted) / 1e9);
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /** An engine that never aggregates: its awaitIdle waits for whoever writes the aggregator checkpoint. */
    private Tally observer(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("tally.cloud.role", "ingest");
        s.put("tally.aggregator.runtime", "external");
        return Tally.builder().backend("cloud").clock(clock).settings(s).build();
    }

    /** Drops the namespace's windows and checkpoints (and dedup marks), so the next runner starts from nothing. */
    private static void wipeWindows(EmbeddedCloudStack stack) {
        RedisClient client = RedisClient.create(stack.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(NAMESPACE + ":*");
            for (int i = 0; i < keys.size(); i += 1000) {
                c.sync().del(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    /** A caught-up job at parallelism 2: start latency, then freshness under background load. */
    private void liveJob(EmbeddedCloudStack stack, Map<String, String> settings, String project) throws Exception {
        try (Tally engine = observer(settings)) {
            ProjectOperations ops = engine.project(project);
            long t0 = System.nanoTime();
            JobClient job = AggregationFlinkJob.start(StreamExecutionEnvironment.createLocalEnvironment(2), settings);
            long submitted = System.nanoTime();
            try {
                Instant ts = clock.instant();
                ops.ingest(Event.builder("probe").eventId("start-probe").timestamp(ts).build());
                awaitCounted(ops, ts, 1);
                long firstVisible = System.nanoTime();
                OUT.printf("job start on a MiniCluster (parallelism 2, log already aggregated): started and submitted in "
                        + "%,d ms; first event visible %,d ms after the start%n", (submitted - t0) / 1_000_000,
                        (firstVisible - t0) / 1_000_000);
                engine.awaitIdle(Duration.ofMinutes(20));
                freshness(ops);
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private void freshness(ProjectOperations ops) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            EventGenerator w = BenchMain.workload(99, "fresh-bg");
            long t0 = System.nanoTime();
            long sent = 0;
            while (!stop.get()) {
                long due = (long) ((System.nanoTime() - t0) / 1e9 * rate);
                if (sent < due) {
                    ops.ingest(w.batchAt(100, clock.instant()));
                    sent += 100;
                } else {
                    LockSupport.parkNanos(200_000);
                }
            }
        }, "background-load");
        load.start();
        long[] latency = new long[probes];
        try {
            for (int i = 0; i < probes; i++) {
                Instant ts = clock.instant();
                ops.ingest(Event.builder("probe").eventId("probe-" + i).timestamp(ts).build());
                long t0 = System.nanoTime();
                awaitCounted(ops, ts, i + 2); // the start probe, then one more each time
                latency[i] = System.nanoTime() - t0;
            }
        } finally {
            stop.set(true);
            load.join();
        }
        OUT.printf("freshness with the Flink job (acknowledged -> in the Redis windows -> counted by a query), "
                + "checkpoint interval %s, under %,d events/s background: %s%n", checkpointInterval, rate,
                Stats.of(latency).summary());
    }

    private static void awaitCounted(ProjectOperations ops, Instant ts, int count) {
        MetricQuery q = MetricQuery.metric("event_count").filter("eventType", "probe")
                .between(ts.minus(Duration.ofHours(1)), ts.plus(Duration.ofHours(1))).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            MetricResult r = ops.query(q);
            if (r.points().stream().mapToDouble(p -> p.value()).sum() >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("probe not counted within 2 minutes");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
