package dev.tally.cloud;

import dev.tally.api.UnableToAppendException;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.EventLog;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event log on Kafka: one topic per project ({@code <prefix><projectId>}, key = event id) or one shared topic
 * (key = {@code projectId:eventId}), see {@code docs/cloud-kafka.md}. Several engine instances may share the
 * topics; each sees what the others append.
 *
 * <p>Appends use an idempotent producer with {@code acks=all}; {@link #append} returns once every record of the
 * batch is acknowledged. A record's timestamp (CreateTime) is the engine clock at append, so
 * {@link #positionAt(Instant)} and {@link #truncate} follow the engine's time, test clocks included.
 *
 * <p>Positions name partitions {@code <topic>/<partition>} with the offset of the last record consumed there:
 * records of one append spread over partitions by key, and a position is exact per record, so a consumer
 * resumes without skipping or repeating anything. Kafka orders records within a partition only: the records of
 * one project come back in append order only where its topic has one partition.
 *
 * <p>Thread-safe. {@link #close()} also closes the subscriptions still open.
 */
public final class KafkaEventLog implements EventLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventLog.class);
    /** Record header holding the project id (UTF-8). */
    static final String PROJECT_HEADER = "tally-project";
    /** Record header holding 8 bytes shared by the records of one append: polls keep them together. */
    static final String APPEND_HEADER = "tally-append";
    /**
     * Record header holding the catalog's metrics version when the record was appended (8 bytes, big-endian): a
     * stream processor that knows older definitions reads them again before it aggregates the record.
     */
    public static final String METRICS_VERSION_HEADER = "tally-metrics";
    private static final String BACKEND = "cloud (Kafka)";

    private final KafkaSettings settings;
    private final InstantSource clock;
    private final Admin admin;
    private final Producer<String, byte[]> producer;
    private final KafkaTopics topics;
    /** Keeps one append's records contiguous per partition: they enter the producer's queues together. */
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final java.util.function.LongSupplier metricsVersion;
    private volatile boolean closed;

    /**
     * Connects to the cluster in {@code tally.kafka.bootstrap-servers} and checks that it answers.
     *
     * @param namespace the deployment's namespace ({@code ""} for none): topics and consumer groups are prefixed
     *                  {@code namespace.}
     * @throws dev.tally.api.ConfigurationException for a missing or invalid {@code tally.kafka.*} setting
     * @throws CloudStorageException when the cluster does not answer within the admin timeout
     */
    public KafkaEventLog(BackendConfig config, String namespace) {
        this(config, namespace, () -> 0L);
    }

    /**
     * As {@link #KafkaEventLog(BackendConfig, String)}, stamping each record with {@code metricsVersion} as of its
     * append ({@link #METRICS_VERSION_HEADER}).
     */
    public KafkaEventLog(BackendConfig config, String namespace, java.util.function.LongSupplier metricsVersion) {
        this.metricsVersion = metricsVersion;
        this.settings = new KafkaSettings(config, namespace);
        this.clock = config.clock();
        long started = System.nanoTime();
        Admin a = null;
        Producer<String, byte[]> p = null;
        try {
            a = KafkaSettings.client(KafkaSettings.ADMIN, () -> Admin.create(settings.admin));
            p = KafkaSettings.client(KafkaSettings.PRODUCER, () -> new KafkaProducer<>(settings.producer));
            KafkaTopics t = new KafkaTopics(a, settings);
            String cluster = t.get(a.describeCluster().clusterId(), "describe the cluster");
            t.refresh();
            this.admin = a;
            this.producer = p;
            this.topics = t;
            LOG.info("Kafka event log on cluster {} ({}) open in {} ms: {} topic(s) found", cluster,
                    settings.bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    topics.partitions(Long.MAX_VALUE).stream().map(TopicPartition::topic).distinct().count());
        } catch (RuntimeException e) {
            if (p != null) {
                p.close(Duration.ZERO);
            }
            if (a != null) {
                a.close(Duration.ZERO);
            }
            throw e;
        }
    }

    @Override
    public void append(String projectId, List<LogRecord> records) {
        checkOpen();
        if (records.isEmpty()) {
            return;
        }
        String topic = settings.topicFor(projectId);
        long deadline = System.nanoTime() + settings.appendTimeout.toNanos();
        try {
            topics.ensure(topic);
        } catch (RuntimeException e) {
            throw new UnableToAppendException(BACKEND, e);
        }
        long timestamp = clock.millis();
        byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
        byte[] append = ByteBuffer.allocate(Long.BYTES).putLong(ThreadLocalRandom.current().nextLong()).array();
        byte[] version = ByteBuffer.allocate(Long.BYTES).putLong(metricsVersion.getAsLong()).array();
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        sendLock.lock();
        try {
            Integer partition = settings.partitionByProject ? projectPartition(topic, project) : null;
            for (LogRecord r : records) {
                List<Header> headers = List.of(new RecordHeader(PROJECT_HEADER, project),
                        new RecordHeader(APPEND_HEADER, append), new RecordHeader(METRICS_VERSION_HEADER, version));
                acks.add(producer.send(new ProducerRecord<>(topic, partition, timestamp,
                        settings.key(projectId, r.eventId()), r.payload(), headers)));
            }
        } catch (KafkaException e) {
            throw new UnableToAppendException(BACKEND, e);
        } finally {
            sendLock.unlock();
        }
        // The producer completes every future within delivery.timeout.ms; the deadline only guards against a bug.
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new UnableToAppendException(BACKEND, e.getCause());
            } catch (TimeoutException e) {
                throw new UnableToAppendException(BACKEND, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnableToAppendException(BACKEND, e);
            }
        }
    }

    @Override
    public LogPosition endPosition() {
        checkOpen();
        List<TopicPartition> partitions = topics.partitions(0);
        Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
        Map<String, Long> end = new HashMap<>();
        latest.forEach((tp, next) -> {
            if (next > 0) {
                end.put(name(tp), next - 1);
            }
        });
        return LogPosition.of(end);
    }

    @Override
    public Subscription subscribe(String consumer, LogPosition after) {
        checkOpen();
        KafkaSubscription s = new KafkaSubscription(settings, topics, settings.groupPrefix + consumer, after,
                subscriptions::remove);
        subscriptions.add(s);
        if (closed) { // closed while opening: do not leak the consumer
            s.close();
            checkOpen();
        }
        return s;
    }

    @Override
    public LogPosition positionAt(Instant time) {
        checkOpen();
        List<TopicPartition> partitions = topics.partitions(0);
        Map<TopicPartition, Long> at = offsets(partitions, OffsetSpec.forTimestamp(time.toEpochMilli()));
        Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
        Map<String, Long> position = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long first = at.getOrDefault(tp, -1L);
            long before = (first >= 0 ? first : latest.getOrDefault(tp, 0L)) - 1;
            if (before >= 0) {
                position.put(name(tp), before);
            }
        }
        return LogPosition.of(position);
    }

    /**
     * Deletes ({@code Admin.deleteRecords}) each partition's records before the lower of the consumed record (it
     * stays: consumers resume right after it) and the first record appended at or after {@code appendedBefore}.
     * Kafka moves the partition's start offset at once and frees disk as whole segments fall below it.
     *
     * @return an estimate of the bytes dropped: each partition's size on disk times the share of its records
     *         dropped; 0 when nothing was dropped or the sizes could not be read
     */
    @Override
    public long truncate(LogPosition consumed, Instant appendedBefore) {
        checkOpen();
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartition tp : topics.partitions(0)) {
            if (consumed.lastOffset(name(tp)) > 0) {
                partitions.add(tp);
            }
        }
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> old = offsets(partitions, OffsetSpec.forTimestamp(appendedBefore.toEpochMilli()));
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long firstNew = old.getOrDefault(tp, -1L);
            long end = latest.getOrDefault(tp, 0L);
            long bound = Math.min(consumed.lastOffset(name(tp)), firstNew >= 0 ? firstNew : end);
            bound = Math.min(bound, end);
            if (bound > earliest.getOrDefault(tp, 0L)) {
                delete.put(tp, RecordsToDelete.beforeOffset(bound));
            }
        }
        if (delete.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> sizes = sizes(delete.keySet());
        topics.get(admin.deleteRecords(delete).all(), "delete records of " + delete.keySet());
        long freed = 0;
        for (Map.Entry<TopicPartition, RecordsToDelete> e : delete.entrySet()) {
            TopicPartition tp = e.getKey();
            long from = earliest.getOrDefault(tp, 0L);
            long records = latest.getOrDefault(tp, 0L) - from;
            long dropped = e.getValue().beforeOffset() - from;
            long size = sizes.getOrDefault(tp, 0L);
            if (records > 0 && size > 0) {
                freed += Math.max(1, Math.round((double) size * dropped / records));
            }
            LOG.info("dropped records {}..{} of Kafka partition {}: consumed and appended before {}", from,
                    e.getValue().beforeOffset() - 1, tp, appendedBefore);
        }
        return freed;
    }

    /** Each partition's size on its leader's disk; partitions whose size cannot be read are left out. */
    private Map<TopicPartition, Long> sizes(Set<TopicPartition> partitions) {
        Set<Integer> leaders = new HashSet<>();
        for (TopicPartition tp : partitions) {
            TopicDescription d = topics.description(tp.topic());
            if (d != null && tp.partition() < d.partitions().size()) {
                Node leader = d.partitions().get(tp.partition()).leader();
                if (leader != null) {
                    leaders.add(leader.id());
                }
            }
        }
        Map<TopicPartition, Long> sizes = new HashMap<>();
        try {
            Map<Integer, Map<String, LogDirDescription>> dirs =
                    topics.get(admin.describeLogDirs(leaders).allDescriptions(), "describe log dirs");
            for (Map<String, LogDirDescription> byDir : dirs.values()) {
                for (LogDirDescription dir : byDir.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
                        if (partitions.contains(r.getKey()) && !r.getValue().isFuture()) {
                            sizes.merge(r.getKey(), r.getValue().size(), Math::max);
                        }
                    }
                }
            }
        } catch (CloudStorageException e) {
            LOG.debug("could not read partition sizes; truncation reports 0 bytes", e);
        }
        return sizes;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                topics.get(admin.listOffsets(request).all(), "list offsets");
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** A partition's name in a {@link LogPosition}: {@code <topic>/<partition>}. */
    static String name(TopicPartition tp) {
        return EventTopics.partitionName(tp.topic(), tp.partition());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Kafka event log is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (KafkaSubscription s : List.copyOf(subscriptions)) {
            s.close();
        }
        RuntimeException first = null;
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            admin.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw new CloudStorageException("closing the Kafka clients failed", first);
        }
        LOG.debug("Kafka event log closed");
    }

    /** The one partition of {@code topic} a project's records go to (murmur2 of the project id, as Kafka hashes keys). */
    private int projectPartition(String topic, byte[] project) {
        int n = producer.partitionsFor(topic).size();
        return n <= 1 ? 0 : org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(project)) % n;
    }

    /** The checked settings this log runs with (other Kafka clients of the backend reuse them). */
    KafkaSettings settings() {
        return settings;
    }
}
