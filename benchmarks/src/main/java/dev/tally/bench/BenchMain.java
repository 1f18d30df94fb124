package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Aggregation;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.engine.codec.EventCodec;
import dev.tally.testkit.EventGenerator;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmark harnesses for the engine (numbers in docs/benchmarks.md). Each command prints one result
 * block; {@code all} runs them side by side in one JVM. Output goes to stdout: this is a tool, not
 * library code.
 */
@Command(name = "tally-bench", mixinStandardHelpOptions = true,
        subcommands = {BenchMain.Ingest.class, BenchMain.Query.class, BenchMain.Freshness.class,
                BenchMain.Open.class, SchemaBench.class, JdkHttpAlternative.class, HistoryBench.class,
                SqlBench.class, CloudBench.class, FlinkBench.class, TestkitBench.class,
                BenchMain.All.class},
        description = "Tally benchmark harnesses")
public final class BenchMain implements Runnable {
    static final PrintStream OUT = System.out;
    static final int BATCH = 1000;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(OUT);
    }

    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The benchmarks' typed events: purchases only, {@link EventGenerator#PURCHASE_SCHEMA}, 100k Zipf users, ten
     * countries, three devices, ids {@code <runId>-<n>}. Seeded, so every run sends the same stream.
     */
    static EventGenerator workload(long seed, String runId) {
        return EventGenerator.builder().seed(seed).idPrefix(runId).users(100_000).purchaseShare(1.0).build();
    }

    static void defineWorkload(dev.tally.api.ProjectOperations tally) {
        tally.registerSchema("purchase", EventGenerator.PURCHASE_SCHEMA);
        tally.defineMetric(MetricDefinition.of("revenue", "purchase", Aggregation.SUM, "amount", "country", "device"));
        tally.defineMetric(MetricDefinition.of("purchases", "purchase", Aggregation.COUNT, null, "country", "device"));
        tally.defineMetric(MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null, "country", "device"));
    }

    @Command(name = "ingest", description = "In-process ingest through aggregation vs raw Chronicle appends")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "2000000", description = "events to ingest (default ${DEFAULT-VALUE})")
        long events = 2000000;

        @Option(names = "--dir", description = "data directory (default: a fresh temp dir, deleted after)")
        Path dir;

        @Option(names = "--without-archive", description = "first run the same ingest with the archive off")
        boolean withoutArchive;

        @Option(names = "--skip-raw", description = "do not run the raw Chronicle baseline")
        boolean skipRaw;

        @Override
        public Integer call() throws Exception {
            if (withoutArchive) {
                tallyIngest(events, dir, false);
            }
            double tallyRate = tallyIngest(events, dir, true);
            if (!skipRaw) {
                double perBatch = rawChronicle(events, true);
                double perEvent = rawChronicle(events, false);
                OUT.printf("raw Chronicle, one document per 1000-event batch: %,.0f events/s%n", perBatch);
                OUT.printf("raw Chronicle, one document per event:            %,.0f events/s%n", perEvent);
                OUT.printf("Tally end to end / raw per-batch appends: %.1f %%%n", 100 * tallyRate / perBatch);
                OUT.printf("Tally end to end / raw per-event appends: %.1f %%%n", 100 * tallyRate / perEvent);
            }
            return 0;
        }
    }

    static double tallyIngest(long events, Path dirOrNull) throws Exception {
        return tallyIngest(events, dirOrNull, true);
    }

    static double tallyIngest(long events, Path dirOrNull, boolean archive) throws Exception {
        Path dir = dirOrNull != null ? dirOrNull : tempDir("tally-bench-ingest-");
        EventGenerator workload = workload(7, "run" + System.nanoTime());
        InstantSource clock = Clock.system(ZoneOffset.UTC);
        try (Tally tally = Tally.builder().dataDir(dir).clock(clock)
                .setting("tally.archive.enabled", Boolean.toString(archive)).build()) {
            defineWorkload(tally);
            // warm-up: 100k events, not timed
            for (int i = 0; i < 100; i++) {
                tally.ingest(workload.batchAt(BATCH, clock.instant()));
            }
            tally.awaitIdle(Duration.ofMinutes(5));
            long gcBefore = gcMillis();
            long start = System.nanoTime();
            long accepted = 0;
            for (long sent = 0; sent < events; sent += BATCH) {
                BatchResult r = tally.ingest(workload.batchAt(BATCH, clock.instant()));
                accepted += r.accepted();
            }
            long appended = System.nanoTime();
            tally.awaitIdle(Duration.ofMinutes(10));
            long done = System.nanoTime();
            double rate = accepted / ((done - start) / 1e9);
            OUT.printf("Tally in-process ingest, %,d typed events in batches of %d, 1 schema, 3 metrics x 2 dims, "
                    + "archive %s:%n", accepted, BATCH, archive ? "on" : "off");
            OUT.printf("  acknowledged (durable in log): %,.0f events/s%n", accepted / ((appended - start) / 1e9));
            OUT.printf("  end to end through aggregation: %,.0f events/s (%.1f s)%n", rate, (done - start) / 1e9);
            OUT.printf("  heap: max %d MiB, peak used %d MiB; GC time %d ms%n",
                    Runtime.getRuntime().maxMemory() >> 20, peakHeapMiB(), gcMillis() - gcBefore);
            return rate;
        } finally {
            if (dirOrNull == null) {
                delete(dir);
            }
        }
    }

    /** Appends the same encoded bytes Tally writes, to a bare Chronicle Queue, timing only the appends. */
    static double rawChronicle(long events, boolean perBatch) throws Exception {
        Path dir = tempDir("tally-bench-raw-");
        EventGenerator workload = workload(7, "raw");
        Instant now = Instant.now();
        List<byte[]> pool = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            Event e = workload.nextAt(now);
            pool.add(EventCodec.encode("default", e, now));
        }
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
             ExcerptAppender appender = queue.createAppender()) {
            long start = System.nanoTime();
            int p = 0;
            for (long sent = 0; sent < events; sent += BATCH) {
                if (perBatch) {
                    try (DocumentContext dc = appender.writingDocument()) {
                        Bytes<?> out = dc.wire().bytes();
                        out.writeStopBit(BATCH);
                        for (int i = 0; i < BATCH; i++) {
                            byte[] b = pool.get(p++ % pool.size());
                            out.writeStopBit(b.length);
                            out.write(b);
                        }
                    }
                } else {
                    for (int i = 0; i < BATCH; i++) {
                        byte[] b = pool.get(p++ % pool.size());
                        try (DocumentContext dc = appender.writingDocument()) {
                            dc.wire().bytes().write(b);
                        }
                    }
                }
            }
            return events / ((System.nanoTime() - start) / 1e9);
        } finally {
            delete(dir);
        }
    }

    @Command(name = "query", description = "Metric query latency over 24 h x 1m x 2 dims, uncached")
    static final class Query implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "300")
        int runs = 300;

        @Override
        public Integer call() throws Exception {
            Path dir = tempDir("tally-bench-query-");
            Instant end = Instant.parse("2024-01-16T00:00:00Z");
            Instant start = end.minus(Duration.ofHours(24));
            Clock clock = Clock.fixed(end, ZoneOffset.UTC);
            try (Tally tally = Tally.builder().dataDir(dir).clock(clock).setting("tally.cache.ttl", "0s").build()) {
                defineWorkload(tally);
                EventGenerator workload = workload(11, "q");
                long n = 0;
                for (Instant t = start; t.isBefore(end); t = t.plusSeconds(60)) {
                    List<Event> minute = new ArrayList<>(120);
                    for (int i = 0; i < 120; i++) {
                        minute.add(workload.nextAt(t.plusMillis(i * 500L)));
                    }
                    n += tally.ingest(minute).accepted();
                }
                tally.awaitIdle(Duration.ofMinutes(5));
                OUT.printf("query data: %,d events over 24 h, 10 countries x 3 devices%n", n);
                measure(tally, "revenue, 1m points, no groupBy (1440 points)",
                        MetricQuery.metric("revenue").between(start, end).granularity(Granularity.MINUTE).build());
                measure(tally, "revenue, 1m points, groupBy country (14400 points)",
                        MetricQuery.metric("revenue").between(start, end).granularity(Granularity.MINUTE)
                                .groupBy("country").build());
                measure(tally, "revenue, 1h points, groupBy country,device",
                        MetricQuery.metric("revenue").between(start, end).granularity(Granularity.HOUR)
                                .groupBy("country", "device").build());
                measure(tally, "revenue, one total",
                        MetricQuery.metric("revenue").between(start, end).granularity(Granularity.ALL).build());
                measure(tally, "buyers (HLL merge), 1h points, no groupBy",
                        MetricQuery.metric("buyers").between(start, end).granularity(Granularity.HOUR).build());
            } finally {
                delete(dir);
            }
            return 0;
        }

        private void measure(Tally tally, String label, MetricQuery q) {
            for (int i = 0; i < 50; i++) {
                tally.query(q);
            }
            long[] samples = new long[runs];
            int points = 0;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                MetricResult r = tally.query(q);
                samples[i] = System.nanoTime() - t0;
                points = r.points().size();
            }
            OUT.printf("  %-55s %s [%d points]%n", label, Stats.of(samples).summary(), points);
        }
    }

    @Command(name = "freshness", description = "Time from an acknowledged ingest to the event being visible in a query")
    static final class Freshness implements Callable<Integer> {
        @Option(names = "--samples", defaultValue = "300")
        int samples = 300;

        @Option(names = "--background-rate", defaultValue = "100000", description = "events/s of background load")
        int backgroundRate = 100000;

        @Override
        public Integer call() throws Exception {
            Path dir = tempDir("tally-bench-fresh-");
            InstantSource clock = Clock.system(ZoneOffset.UTC);
            try (Tally tally = Tally.builder().dataDir(dir).clock(clock).build()) {
                defineWorkload(tally);
                AtomicLong stop = new AtomicLong();
                Thread load = new Thread(() -> {
                    EventGenerator w = workload(3, "bg");
                    long started = System.nanoTime();
                    long sent = 0;
                    while (stop.get() == 0) {
                        long due = (long) ((System.nanoTime() - started) / 1e9 * backgroundRate);
                        if (sent < due) {
                            tally.ingest(w.batchAt(BATCH, clock.instant()));
                            sent += BATCH;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }, "background-load");
                load.start();
                long[] lat = new long[samples];
                for (int i = 0; i < samples; i++) {
                    String type = "probe";
                    Instant ts = clock.instant();
                    tally.ingest(Event.builder(type).eventId("probe-" + i).timestamp(ts).build());
                    long t0 = System.nanoTime();
                    MetricQuery q = MetricQuery.metric("event_count").filter("eventType", type)
                            .between(ts.minus(Duration.ofHours(1)), ts.plus(Duration.ofHours(1))).build();
                    while (true) {
                        MetricResult r = tally.query(q);
                        if (!r.points().isEmpty() && r.points().get(0).value() >= i + 1) {
                            break;
                        }
                        Thread.onSpinWait();
                    }
                    lat[i] = System.nanoTime() - t0;
                }
                stop.set(1);
                load.join();
                OUT.printf("freshness (ingest acknowledged -> visible in a query) under %,d events/s background: %s%n",
                        backgroundRate, Stats.of(lat).summary());
            } finally {
                delete(dir);
            }
            return 0;
        }
    }

    @Command(name = "open", description = "Engine open time on an empty directory")
    static final class Open implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "20")
        int runs = 20;

        @Override
        public Integer call() throws Exception {
            long[] samples = new long[runs];
            long first = 0;
            for (int i = 0; i < runs; i++) {
                Path dir = tempDir("tally-bench-open-");
                long t0 = System.nanoTime();
                Tally tally = Tally.builder().dataDir(dir).build();
                samples[i] = System.nanoTime() - t0;
                if (i == 0) {
                    first = samples[i];
                }
                tally.close();
                delete(dir);
            }
            OUT.printf("engine open on an empty dir: first (cold JVM) %.0f ms; then %s%n", first / 1e6,
                    Stats.of(java.util.Arrays.copyOfRange(samples, 1, runs)).summary());
            return 0;
        }
    }

    @Command(name = "all", description = "Every harness, side by side, in one JVM")
    static final class All implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "2000000")
        long events = 2000000;

        @Override
        public Integer call() throws Exception {
            OUT.printf("JVM %s, %d cores, max heap %d MiB%n", System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            new Open().call();
            Ingest ingest = new Ingest();
            ingest.events = events;
            ingest.call();
            new Query().call();
            new Freshness().call();
            new SchemaBench().call();
            return 0;
        }
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
