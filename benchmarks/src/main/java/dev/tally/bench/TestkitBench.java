package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.MetricDefinition;
import dev.tally.testkit.EnginePool;
import dev.tally.testkit.EventGenerator;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.cloud.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

import static dev.tally.bench.BenchMain.OUT;
import static dev.tally.bench.BenchMain.delete;
import static dev.tally.bench.BenchMain.tempDir;

/**
 * What a test pays for its engine under {@code @TallyTest}, step by step as {@code TallyExtension} takes them: open
 * on a fresh temp dir with a test clock, register a tracking plan (two schemas, one metric), one event and
 * {@code awaitIdle()}, then close and delete (the "reset" before the next test). Beside it, what the same kind of
 * test pays today to start a Kafka broker in-process ({@link EmbeddedKafka}, KRaft, one node). By default through
 * {@link EnginePool} as {@code TallyExtension} does; {@code --direct} opens and closes on the test thread.
 */
@Command(name = "testkit", description = "Per-test engine start and reset under the testkit, beside an in-process Kafka start")
final class TestkitBench implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "30", description = "engines to open and close (default ${DEFAULT-VALUE})")
    int runs = 30;

    @Option(names = "--kafka-runs", defaultValue = "3", description = "Kafka brokers to start (default ${DEFAULT-VALUE})")
    int kafkaRuns = 3;

    @Option(names = "--direct", description = "open and close each engine on the test thread (before the pool)")
    boolean direct;

    @Option(names = "--test-sized", description = "with --direct: the testkit's test-sized dedup index (1024 slots)")
    boolean testSized;

    @Override
    public Integer call() throws Exception {
        if (!direct) {
            pooled();
        } else {
            direct();
        }
        long[] kafka = new long[kafkaRuns];
        for (int i = 0; i < kafkaRuns; i++) {
            Path dir = tempDir("tally-bench-kafka-");
            long t0 = System.nanoTime();
            EmbeddedKafka broker = EmbeddedKafka.start(dir);
            kafka[i] = System.nanoTime() - t0;
            broker.close();   // also deletes its directory
        }
        row("Kafka broker start in-process (KRaft)", kafka);
        return 0;
    }

    /**
     * What {@code TallyExtension} does per test: take a fresh engine from the pool (opened in the background while
     * the previous test ran), the test's work, then hand the engine back (closed and deleted in the background).
     */
    private void pooled() {
        long[] take = new long[runs];
        long[] plan = new long[runs];
        long[] firstEvent = new long[runs];
        long[] release = new long[runs];
        long started = System.nanoTime();
        try (EnginePool pool = EnginePool.local()) {
            EnginePool.Config config = new EnginePool.Config("local",
                    Map.of("tally.local.dedup.initial-capacity", "1024"), TestClock.DEFAULT_START);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                EnginePool.Lease lease = pool.take(config);
                long t1 = System.nanoTime();
                Tally tally = lease.tally();
                EventGenerator.registerSchemas(tally);
                tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
                long t2 = System.nanoTime();
                tally.ingest(EventGenerator.builder().seed(i).start(lease.clock().instant().minusSeconds(60)).build()
                        .next());
                tally.awaitIdle();
                long t3 = System.nanoTime();
                lease.close();
                long t4 = System.nanoTime();
                take[i] = t1 - t0;
                plan[i] = t2 - t1;
                firstEvent[i] = t3 - t2;
                release[i] = t4 - t3;
            }
        }
        long all = System.nanoTime() - started;
        OUT.printf("testkit through the engine pool, per test (first = cold JVM, then %d warm runs):%n", runs - 1);
        row("per-test open: take from the pool", take);
        row("tracking plan (2 schemas, 1 metric)", plan);
        row("one event + awaitIdle()", firstEvent);
        row("reset: hand back (closed in background)", release);
        OUT.printf("  %-40s %.1f ms for %d tests, pool closed (every engine closed and deleted)%n", "wall time",
                all / 1e6, runs);
    }

    /** Open and close on the test thread (with {@code --test-sized}, as a customized {@code TallyExtension} does). */
    private void direct() throws Exception {
        Map<String, String> settings = testSized ? Map.of("tally.local.dedup.initial-capacity", "1024") : Map.of();
        long[] open = new long[runs];
        long[] plan = new long[runs];
        long[] firstEvent = new long[runs];
        long[] close = new long[runs];
        long[] reset = new long[runs];
        for (int i = 0; i < runs; i++) {
            Path dir = tempDir("tally-bench-testkit-");
            TestClock clock = TestClock.create();
            long t0 = System.nanoTime();
            Tally tally = Tally.builder().dataDir(dir).clock(clock).settings(settings).build();
            long t1 = System.nanoTime();
            EventGenerator.registerSchemas(tally);
            tally.defineMetric(MetricDefinition.sum("revenue", "purchase", "amount", "country"));
            long t2 = System.nanoTime();
            tally.ingest(EventGenerator.builder().seed(i).start(clock.instant().minusSeconds(60)).build().next());
            tally.awaitIdle();
            long t3 = System.nanoTime();
            tally.close();
            long closed = System.nanoTime();
            delete(dir);
            long t4 = System.nanoTime();
            close[i] = closed - t3;
            open[i] = t1 - t0;
            plan[i] = t2 - t1;
            firstEvent[i] = t3 - t2;
            reset[i] = t4 - t3;
        }
        OUT.printf("testkit, per test (first = cold JVM, then %d warm runs):%n", runs - 1);
        row("engine open (temp dir, test clock)", open);
        row("tracking plan (2 schemas, 1 metric)", plan);
        row("one event + awaitIdle()", firstEvent);
        row("  of which close()", close);
        row("reset (close + delete the dir)", reset);
        long[] total = new long[runs];
        Arrays.setAll(total, i -> open[i] + plan[i] + reset[i]);
        row("open + plan + reset", total);
    }

    private static void row(String what, long[] nanos) {
        String warm = nanos.length > 1 ? Stats.of(Arrays.copyOfRange(nanos, 1, nanos.length)).summary() : "-";
        OUT.printf("  %-40s first %7.1f ms; then %s%n", what, nanos[0] / 1e6, warm);
    }
}
