package dev.tally.testkit.cloud;

import dev.tally.api.UnableToAppendException;
import dev.tally.cloud.KafkaEventLog;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import dev.tally.testkit.TestClock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the event log contract cannot say about Kafka: multi-partition topics (records of one append spread by
 * key, resumed exactly per record), the record layout other Kafka tools see, a shared topic, several engine
 * instances on one cluster, committed consumer-group offsets, a broker that goes away and comes back, and an
 * append throughput figure.
 */
class CloudKafkaEventLogTest {
    private static final Logger LOG = LoggerFactory.getLogger(CloudKafkaEventLogTest.class);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.create();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private String namespace;

    @BeforeEach
    void namespace() {
        namespace = KafkaTestServer.namespaceOf(dir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private KafkaEventLog open(Map<String, String> settings) {
        return open(KafkaTestServer.get(), settings);
    }

    private KafkaEventLog open(EmbeddedKafka server, Map<String, String> settings) {
        KafkaEventLog log = new KafkaEventLog(KafkaTestServer.config(server, namespace, clock, settings), namespace);
        opened.add(log);
        return log;
    }

    private static List<LogRecord> batch(String project, String prefix, int n) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LogRecord(project, prefix + i, (prefix + i + " payload").getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private record Read(List<LogRecord> records, LogPosition position) {
        List<String> ids() {
            return records.stream().map(r -> r.projectId() + "/" + r.eventId()).toList();
        }
    }

    /** Polls until {@code expected} records arrived, then checks that nothing more comes. */
    private static Read read(EventLog log, LogPosition after, int expected) {
        try (EventLog.Subscription s = log.subscribe("reader", after)) {
            return read(s, after, expected);
        }
    }

    private static Read read(EventLog.Subscription s, LogPosition after, int expected) {
        List<LogRecord> out = new ArrayList<>();
        LogPosition position = after;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (out.size() < expected) {
            if (System.nanoTime() > deadline) {
                fail("read " + out.size() + " of " + expected + " records within " + DEADLINE);
            }
            LogBatch b = s.poll(1000, Duration.ofMillis(100));
            out.addAll(b.records());
            position = b.position();
        }
        LogBatch more = s.poll(1000, Duration.ofMillis(200));
        assertThat(more.records()).as("records past the expected ones").isEmpty();
        return new Read(out, more.position());
    }

    private static Set<String> ids(String project, String prefix, int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(project + "/" + prefix + i);
        }
        return out;
    }

    @Test
    void recordsOfOneAppendSpreadOverPartitionsAndAreReadExactlyOnce() {
        KafkaEventLog log = open(Map.of("tally.kafka.partitions", "6", "tally.kafka.partitioning", "event-id"));
        log.append("p1", batch("p1", "a", 60));
        log.append("p2", batch("p2", "b", 30));
        LogPosition end = log.endPosition();
        assertThat(end.partitionNames()).as("both topics, several partitions each").hasSizeGreaterThan(6)
                .allMatch(n -> n.startsWith(namespace + ".events.p1/") || n.startsWith(namespace + ".events.p2/"));

        Read all = read(log, LogPosition.NONE, 90);
        assertThat(all.ids()).doesNotHaveDuplicates();
        Set<String> expected = new HashSet<>(ids("p1", "a", 60));
        expected.addAll(ids("p2", "b", 30));
        assertThat(new HashSet<>(all.ids())).isEqualTo(expected);
        assertThat(all.position().covers(end)).isTrue();
    }

    @Test
    void resumingInsideAMultiPartitionLogNeitherSkipsNorRepeats() {
        KafkaEventLog log = open(Map.of("tally.kafka.partitions", "6", "tally.kafka.partitioning", "event-id"));
        for (int i = 0; i < 10; i++) {
            log.append("p1", batch("p1", "e" + i + "-", 5));
        }
        List<String> seen = new ArrayList<>();
        LogPosition position = LogPosition.NONE;
        while (seen.size() < 50) {
            try (EventLog.Subscription s = log.subscribe("step", position)) {
                LogBatch b;
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                do {
                    assertThat(System.nanoTime()).as("a poll returns records in time").isLessThan(deadline);
                    b = s.poll(7, Duration.ofMillis(100));
                } while (b.isEmpty());
                b.records().forEach(r -> seen.add(r.eventId()));
                position = b.position();
            }
        }
        assertThat(seen).hasSize(50).doesNotHaveDuplicates();
        assertThat(read(log, position, 0).records()).isEmpty();
        assertThat(position.covers(log.endPosition())).isTrue();
    }

    @Test
    void byDefaultAProjectsRecordsStayInOnePartitionInAppendOrder() {
        KafkaEventLog log = open(Map.of("tally.kafka.topics", "shared", "tally.kafka.partitions", "6"));
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<LogRecord> b = batch("p1", "o" + i + "-", 5);
            b.forEach(r -> appended.add("p1/" + r.eventId()));
            log.append("p1", b);
        }
        LogPosition end = log.endPosition();
        assertThat(end.partitionNames().stream().filter(n -> end.lastOffset(n) >= 0)).as("one partition holds p1").hasSize(1);
        assertThat(read(log, LogPosition.NONE, 100).ids()).as("read back in append order").isEqualTo(appended);
    }

    @Test
    void recordsCarryTheEventIdAsKeyTheProjectInAHeaderAndTheEngineClockAsTimestamp() {
        KafkaEventLog log = open(Map.of("tally.kafka.partitions", "2"));
        log.append("acme", batch("acme", "e", 3));
        List<ConsumerRecord<String, byte[]>> raw = rawRecords(namespace + ".events.acme", 3);
        assertThat(raw).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("e0", "e1", "e2");
        assertThat(raw).allSatisfy(r -> {
            assertThat(r.timestamp()).isEqualTo(TestClock.DEFAULT_START.toEpochMilli());
            assertThat(new String(r.headers().lastHeader("tally-project").value(), StandardCharsets.UTF_8))
                    .isEqualTo("acme");
        });
    }

    @Test
    void aSharedTopicKeysRecordsByProjectAndEventIdAndHoldsEveryProject() {
        KafkaEventLog log = open(Map.of("tally.kafka.topics", "shared", "tally.kafka.partitions", "3"));
        log.append("p1", batch("p1", "same", 2));
        log.append("p2", batch("p2", "same", 2));
        assertThat(log.endPosition().partitionNames()).allMatch(n -> n.startsWith(namespace + ".events/"));
        assertThat(rawRecords(namespace + ".events", 4)).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder("p1:same0", "p1:same1", "p2:same0", "p2:same1");
        assertThat(new HashSet<>(read(log, LogPosition.NONE, 4).ids()))
                .containsExactlyInAnyOrder("p1/same0", "p1/same1", "p2/same0", "p2/same1");
    }

    @Test
    void twoEngineInstancesSeeEachOthersProjectsInSubscriptionsAndEndPositions() {
        KafkaEventLog first = open(Map.of("tally.kafka.partitions", "2"));
        KafkaEventLog second = open(Map.of("tally.kafka.partitions", "2"));
        try (EventLog.Subscription onSecond = second.subscribe("agg", LogPosition.NONE)) {
            assertThat(onSecond.poll(10, Duration.ofMillis(50)).records()).isEmpty();
            first.append("only-on-first", batch("only-on-first", "x", 4)); // a topic the second one never created
            second.append("only-on-second", batch("only-on-second", "y", 2));
            Read read = read(onSecond, LogPosition.NONE, 6);
            Set<String> expected = new HashSet<>(ids("only-on-first", "x", 4));
            expected.addAll(ids("only-on-second", "y", 2));
            assertThat(new HashSet<>(read.ids())).isEqualTo(expected);
            LogPosition end = first.endPosition();
            assertThat(second.endPosition()).isEqualTo(end);
            assertThat(end.partitionNames()).anyMatch(n -> n.contains(".events.only-on-second/"));
            assertThat(read.position().covers(end)).isTrue();
        }
    }

    @Test
    void positionAtAndTruncateFollowTheEngineClockOnEveryPartition() {
        KafkaEventLog log = open(Map.of("tally.kafka.partitions", "4"));
        log.append("p1", batch("p1", "day1-", 20));
        clock.advance(Duration.ofDays(1));
        Instant dayTwo = clock.instant();
        log.append("p1", batch("p1", "day2-", 20));
        clock.advance(Duration.ofDays(1));

        assertThat(new HashSet<>(read(log, log.positionAt(dayTwo), 20).ids())).isEqualTo(ids("p1", "day2-", 20));
        assertThat(log.positionAt(clock.instant()).covers(log.endPosition())).isTrue();

        LogPosition end = log.endPosition();
        long freed = log.truncate(end, dayTwo);
        assertThat(freed).isPositive();
        assertThat(new HashSet<>(read(log, LogPosition.NONE, 20).ids())).isEqualTo(ids("p1", "day2-", 20));
        assertThat(log.endPosition()).isEqualTo(end);
        assertThat(log.truncate(end, dayTwo)).as("a second run has nothing left to drop").isZero();
    }

    @Test
    void consumedOffsetsAreCommittedToTheConsumerGroupForKafkaTooling() throws Exception {
        KafkaEventLog log = open(Map.of("tally.kafka.partitions", "1"));
        log.append("p1", batch("p1", "e", 3));
        String group = namespace + ".tally-aggregator";
        try (EventLog.Subscription s = log.subscribe("aggregator", LogPosition.NONE);
             Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaTestServer.get().bootstrapServers()))) {
            read(s, LogPosition.NONE, 3); // its last poll commits what the earlier ones handed out
            TopicPartition tp = new TopicPartition(namespace + ".events.p1", 0);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            Long committed = null;
            while (committed == null || committed < 3) {
                assertThat(System.nanoTime()).as("offsets committed in time").isLessThan(deadline);
                s.poll(10, Duration.ofMillis(50)); // gives the asynchronous commit's callback a turn
                OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).get(tp);
                committed = o == null ? null : o.offset();
            }
            assertThat(committed).isEqualTo(3);
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp)
                    .offset()).as("no lag left").isEqualTo(committed);
        }
    }

    @Test
    void appendsFailWithinTheirTimeoutWhileTheBrokerIsDownAndWorkAgainAfterItsRestart() {
        EmbeddedKafka server = EmbeddedKafka.start(dir.resolve("own-broker"));
        opened.add(server);
        KafkaEventLog log = open(server, Map.of("tally.kafka.partitions", "2",
                "tally.kafka.producer.max.block.ms", "2000",
                "tally.kafka.producer.request.timeout.ms", "1000",
                "tally.kafka.producer.delivery.timeout.ms", "3000"));
        log.append("p1", batch("p1", "before", 3));

        server.stop();
        long started = System.nanoTime();
        assertThatThrownBy(() -> log.append("p1", batch("p1", "during", 2)))
                .isInstanceOf(UnableToAppendException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

        long restarting = System.nanoTime();
        server.restart();
        LOG.info("embedded Kafka stop/restart: back in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting));
        log.append("p1", batch("p1", "after", 3));
        Set<String> read = new HashSet<>(read(log, LogPosition.NONE, 6).ids().stream()
                .filter(id -> !id.startsWith("p1/during")).toList());
        Set<String> expected = new HashSet<>(ids("p1", "before", 3));
        expected.addAll(ids("p1", "after", 3));
        assertThat(read).as("records of a failed append may or may not have landed; the others all did")
                .isEqualTo(expected);
    }

    @Test
    void closingTheLogEndsPollsWaitingInOtherThreads() throws Exception {
        KafkaEventLog withTopic = open(Map.of("tally.kafka.partitions", "1"));
        withTopic.append("p1", batch("p1", "e", 1));
        KafkaEventLog empty = new KafkaEventLog(KafkaTestServer.config(namespace + "_empty", clock, Map.of()),
                namespace + "_empty");
        opened.add(empty);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            EventLog.Subscription reading = withTopic.subscribe("c", withTopic.endPosition());
            EventLog.Subscription waiting = empty.subscribe("c", LogPosition.NONE);
            // A poll that began before the close returns empty; one that begins after it is refused.
            Callable<List<LogRecord>> pollReading = () -> pollUnlessClosed(reading);
            Callable<List<LogRecord>> pollWaiting = () -> pollUnlessClosed(waiting);
            Future<List<LogRecord>> onKafka = pool.submit(pollReading);
            Future<List<LogRecord>> onRegistry = pool.submit(pollWaiting);
            long started = System.nanoTime();
            withTopic.close();
            empty.close();
            assertThat(onKafka.get(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(onRegistry.get(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no poll ran its 60 s")
                    .isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(() -> reading.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<LogRecord> pollUnlessClosed(EventLog.Subscription s) {
        try {
            return s.poll(10, Duration.ofSeconds(60)).records();
        } catch (IllegalStateException closedBeforeThePoll) {
            return List.of();
        }
    }

    @Test
    void appendThroughputOfHundredRecordBatches() {
        KafkaEventLog log = open(Map.of());
        int batches = 300;
        List<LogRecord> warmUp = batch("bench", "warm", 100);
        log.append("bench", warmUp);
        long started = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            List<LogRecord> records = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                records.add(new LogRecord("bench", "b" + b + "-" + i, new byte[200]));
            }
            log.append("bench", records);
        }
        long nanos = System.nanoTime() - started;
        LOG.info("Kafka append: {} batches of 100 records (200 B) in {} ms: {} records/s, {} ms per batch", batches,
                TimeUnit.NANOSECONDS.toMillis(nanos), Math.round(batches * 100 / (nanos / 1e9)),
                String.format("%.2f", nanos / 1e6 / batches));
        long total = 0;
        for (long offset : offsetsAfterEachPartition(log.endPosition())) {
            total += offset + 1;
        }
        assertThat(total).isEqualTo(100L * (batches + 1));

        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long concurrentStart = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int b = 0; b < batches / threads; b++) {
                        log.append("bench", batch("bench", "t" + thread + "-" + b + "-", 100));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            long concurrentNanos = System.nanoTime() - concurrentStart;
            LOG.info("Kafka append, {} threads: {} batches of 100 records in {} ms: {} records/s", threads, batches,
                    TimeUnit.NANOSECONDS.toMillis(concurrentNanos), Math.round(batches * 100 / (concurrentNanos / 1e9)));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }

        long endStart = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            log.endPosition();
        }
        LOG.info("Kafka endPosition (topic listing + offsets): {} ms per call",
                String.format("%.2f", (System.nanoTime() - endStart) / 1e6 / 20));
    }

    private static List<Long> offsetsAfterEachPartition(LogPosition position) {
        return position.partitionNames().stream().map(position::lastOffset).toList();
    }

    /** Reads a topic with a plain Kafka consumer, as other Kafka tools see it. */
    private static List<ConsumerRecord<String, byte[]>> rawRecords(String topic, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestServer.get().bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (out.size() < expected) {
                assertThat(System.nanoTime()).as("raw records arrive in time").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }
}
