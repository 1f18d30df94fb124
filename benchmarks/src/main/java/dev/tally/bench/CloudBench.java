package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.cloud.CloudBackend;
import dev.tally.testkit.cloud.EmbeddedCloudStack;
import dev.tally.testkit.EventGenerator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static dev.tally.bench.BenchMain.OUT;

/**
 * The cloud profile on the embedded stack (Kafka, Redis, PostgreSQL, S3 in this JVM), side by side with the raw
 * Kafka producer on the same broker: ingest throughput (same threads, same batch size, same record sizes, same
 * producer settings: {@code acks=all}, idempotent, lz4, one partition), freshness (acknowledged → visible in a
 * query) under background load, and Redis commands / PostgreSQL transactions per event.
 */
@Command(name = "cloud", mixinStandardHelpOptions = true,
        description = "Cloud-profile ingest vs raw Kafka producer, freshness, store round trips per event")
final class CloudBench implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "400000", description = "events per measured run")
    int events = 400_000;

    @Option(names = "--threads", defaultValue = "4", description = "ingesting threads")
    int threads = 4;

    @Option(names = "--batch", defaultValue = "500", description = "events per append")
    int batch = 500;

    @Option(names = "--probes", defaultValue = "200", description = "freshness samples")
    int probes = 200;

    @Option(names = "--setting", description = "extra engine setting key=value (repeatable)")
    Map<String, String> extra = new java.util.HashMap<>();

    private final InstantSource clock = Clock.system(ZoneOffset.UTC);

    @Override
    public Integer call() throws Exception {
        Path dir = BenchMain.tempDir("tally-bench-cloud-");
        long started = System.nanoTime();
        try (EmbeddedCloudStack stack = EmbeddedCloudStack.start(dir.resolve("stack"))) {
            OUT.printf("embedded cloud stack started in %,d ms%n", (System.nanoTime() - started) / 1_000_000);
            Map<String, String> settings = stack.settingsFor("bench", dir.resolve("engine"));
            settings.putAll(extra);
            double raw;
            try (Tally tally = Tally.builder().backend("cloud").clock(clock).settings(settings).build()) {
                BenchMain.defineWorkload(tally);
                ingest(tally, "warm", events / 10);
                tally.awaitIdle(Duration.ofMinutes(5));
                int recordBytes = averageRecordBytes(stack, "bench.events.default");
                rawProducer(stack, recordBytes, events / 10); // warm-up

                raw = rawProducer(stack, recordBytes, events);
                CloudBackend backend = (CloudBackend) tally.backend();
                long tripsBefore = backend.redisRoundTrips();
                long redisBefore = redisCommands(stack);
                long pgBefore = postgresTransactions(stack);
                double cloud = ingest(tally, "run", events);
                tally.awaitIdle(Duration.ofMinutes(5));
                double redisPerEvent = (redisCommands(stack) - redisBefore) / (double) events;
                double tripsPerEvent = (backend.redisRoundTrips() - tripsBefore) / (double) events;
                double pgPerEvent = (postgresTransactions(stack) - pgBefore) / (double) events;

                OUT.printf("raw Kafka producer (%d threads, %d-record batches of %d B, acks=all, idempotent, lz4): "
                        + "%,.0f records/s%n", threads, batch, recordBytes, raw);
                OUT.printf("Tally cloud profile ingest (same threads and batches, in-process API): %,.0f events/s "
                        + "= %.0f %% of raw%n", cloud, 100 * cloud / raw);
                OUT.printf("store round trips per event (ingest + aggregation + archive + rollups, after awaitIdle): "
                        + "Redis %.4f requests (%.3f commands run by the server, counting each command inside scripts "
                        + "and transactions), PostgreSQL %.5f transactions%n", tripsPerEvent, redisPerEvent, pgPerEvent);

                freshness(tally, (int) (cloud / 2));
                tally.awaitIdle(Duration.ofMinutes(5));
            }
            ingestTier(settings, raw);
        } finally {
            BenchMain.delete(dir);
        }
        return 0;
    }

    /**
     * The scaled-out shape: an ingest-only engine ({@code tally.cloud.role=ingest}) takes the events while no
     * engine runs the background jobs — in a deployment they run on another machine (the leader, or Flink); on
     * these two cores they would take the ingest tier's CPU. Then the leader is started and its catch-up over the
     * same events is timed: what one background-jobs instance aggregates and archives per second.
     */
    private void ingestTier(Map<String, String> settings, double raw) throws Exception {
        Map<String, String> ingestOnly = new java.util.HashMap<>(settings);
        ingestOnly.put("tally.cloud.role", "ingest");
        double tier;
        try (Tally ingest = Tally.builder().backend("cloud").clock(clock).settings(ingestOnly).build()) {
            ingest(ingest, "tier-warm", events / 10);
            tier = ingest(ingest, "tier", events);
        }
        OUT.printf("Tally ingest tier alone (tally.cloud.role=ingest, same threads and batches, background jobs on no "
                + "core of this machine): %,.0f events/s = %.0f %% of raw%n", tier, 100 * tier / raw);
        long t0 = System.nanoTime();
        try (Tally leader = Tally.builder().backend("cloud").clock(clock).settings(settings).build()) {
            leader.awaitIdle(Duration.ofMinutes(10));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        OUT.printf("background jobs catching up on those %,d events (start, aggregate, archive): %.1f s = %,.0f events/s%n",
                events + events / 10, seconds, (events + events / 10) / seconds);
    }

    /** Ingests {@code n} events from {@link #threads} threads in batches; events/s acknowledged. */
    private double ingest(Tally tally, String run, int n) throws Exception {
        return inParallel(n, (seed, perThread) -> {
            EventGenerator w = BenchMain.workload(seed, run + "-" + seed);
            for (int sent = 0; sent < perThread; sent += batch) {
                tally.ingest(w.batchAt(batch, clock.instant()));
            }
        });
    }

    /** What one sending thread does: send {@code perThread} items, seeded by its number. */
    private interface Sender {
        void send(int seed, int perThread) throws Exception;
    }

    /** Runs {@code n} items split over {@link #threads} threads; items/s. */
    private double inParallel(int n, Sender sender) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int perThread = n / threads;
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            done.add(pool.submit(() -> {
                sender.send(seed, perThread);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        return perThread * threads / seconds;
    }

    /** Key plus value bytes of the records Tally wrote, averaged over a sample. */
    private static int averageRecordBytes(EmbeddedCloudStack stack, String topic) {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.settings().get("tally.kafka.bootstrap-servers"),
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition p = new TopicPartition(topic, 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long bytes = 0;
            int n = 0;
            while (n < 2_000) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    bytes += r.key().length() + r.value().length;
                    n++;
                }
            }
            return (int) (bytes / n);
        }
    }

    /** The raw producer, configured as Tally's, sending {@code n} records of {@code size} bytes; records/s. */
    private double rawProducer(EmbeddedCloudStack stack, int size, int n) throws Exception {
        String bootstrap = stack.settings().get("tally.kafka.bootstrap-servers");
        String topic = "raw-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
        }
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            return inParallel(n, (seed, perThread) -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int sent = 0; sent < perThread; sent += batch) {
                    List<Future<RecordMetadata>> acks = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        String key = "raw-" + seed + "-" + (sent + i);
                        byte[] value = new byte[Math.max(1, size - key.length())];
                        random.nextBytes(value);
                        acks.add(producer.send(new ProducerRecord<>(topic, 0, clock.millis(), key, value)));
                    }
                    for (Future<RecordMetadata> a : acks) {
                        a.get();
                    }
                }
            });
        }
    }

    private static long redisCommands(EmbeddedCloudStack stack) {
        RedisClient client = RedisClient.create(stack.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String line : c.sync().info("stats").split("\r?\n")) {
                if (line.startsWith("total_commands_processed:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            throw new IllegalStateException("no total_commands_processed in INFO stats");
        } finally {
            client.shutdown();
        }
    }

    private static long postgresTransactions(EmbeddedCloudStack stack) throws Exception {
        Map<String, String> s = stack.settings();
        try (Connection c = DriverManager.getConnection(s.get("tally.postgres.url"), s.get("tally.postgres.user"),
                s.get("tally.postgres.password"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                     + "WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1) - 1; // this query's own transaction
        }
    }

    /** Acknowledged → counted by a metric query, under background load at {@code rate} events/s. */
    private void freshness(Tally tally, int rate) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            EventGenerator w = BenchMain.workload(99, "fresh-bg");
            long t0 = System.nanoTime();
            long sent = 0;
            while (!stop.get()) {
                long due = (long) ((System.nanoTime() - t0) / 1e9 * rate);
                if (sent < due) {
                    tally.ingest(w.batchAt(batch, clock.instant()));
                    sent += batch;
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
                tally.ingest(Event.builder("probe").eventId("probe-" + i).timestamp(ts).build());
                long t0 = System.nanoTime();
                MetricQuery q = MetricQuery.metric("event_count").filter("eventType", "probe")
                        .between(ts.minus(Duration.ofHours(1)), ts.plus(Duration.ofHours(1))).build();
                while (true) {
                    MetricResult r = tally.query(q);
                    if (!r.points().isEmpty() && r.points().stream().mapToDouble(p -> p.value()).sum() >= i + 1) {
                        break;
                    }
                    LockSupport.parkNanos(1_000_000);
                }
                latency[i] = System.nanoTime() - t0;
            }
        } finally {
            stop.set(true);
            load.join();
        }
        OUT.printf("freshness (acknowledged -> visible in a query) under %,d events/s background: %s%n", rate,
                Stats.of(latency).summary());
    }
}
