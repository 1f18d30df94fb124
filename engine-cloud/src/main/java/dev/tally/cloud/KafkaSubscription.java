package dev.tally.cloud;

import dev.tally.spi.EventLog;
import dev.tally.spi.LogBatch;
import dev.tally.spi.LogPosition;
import dev.tally.spi.LogRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One consumer's cursor over every Tally topic: a {@link KafkaConsumer} with manual assignment (no group
 * rebalancing; the position is the engine's), re-assigned when topics appear — at once for topics this engine
 * instance creates, within {@code tally.kafka.topic-discovery-interval} for other instances'.
 *
 * <p>Offsets handed out by the previous poll are committed (asynchronously, best effort) to the consumer group
 * {@code <namespace.>tally-<consumer>} when the next poll starts, i.e. once the caller came back for more; that
 * lets standard Kafka tooling show the lag. The engine's own checkpoint stays authoritative: the group's
 * offsets are never read.
 *
 * <p>Used by one thread at a time; {@link #close()} may come from another thread (the backend closing).
 */
final class KafkaSubscription implements EventLog.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSubscription.class);
    private static final long CLOSE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final KafkaSettings settings;
    private final KafkaTopics topics;
    private final String group;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Runnable stopListening;
    private final Consumer<KafkaSubscription> onClose;
    /** Held while the consumer is in use: KafkaConsumer is single-threaded, and close may come from elsewhere. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Fetched, not yet returned, in fetch order. */
    private final ArrayDeque<ConsumerRecord<String, byte[]>> buffer = new ArrayDeque<>();
    private LogPosition position;
    private LogPosition committed;
    private Set<TopicPartition> assigned = Set.of();
    private long seenGeneration = -1;
    private long nextDiscovery;
    private boolean discoveryFailing;
    private volatile boolean closed;

    KafkaSubscription(KafkaSettings settings, KafkaTopics topics, String group, LogPosition after,
                      Consumer<KafkaSubscription> onClose) {
        this.settings = settings;
        this.topics = topics;
        this.group = group;
        this.position = after;
        this.committed = after;
        this.onClose = onClose;
        Map<String, Object> props = new HashMap<>(settings.consumer);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        this.consumer = KafkaSettings.client(KafkaSettings.CONSUMER, () -> new KafkaConsumer<>(props));
        this.stopListening = topics.onChange(consumer::wakeup);
        this.nextDiscovery = System.nanoTime();
    }

    @Override
    public LogBatch poll(int maxRecords, Duration timeout) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, got " + maxRecords);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            checkOpen();
            commitHandedOut();
            while (buffer.isEmpty()) {
                if (closed) { // closed by another thread while this poll waited
                    return new LogBatch(List.of(), position);
                }
                reassignIfChanged();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    skipGaps();
                    return new LogBatch(List.of(), position);
                }
                long wait = Math.min(left, Math.max(0, nextDiscovery - System.nanoTime()));
                if (assigned.isEmpty()) {
                    awaitTopics(Math.min(wait, CLOSE_CHECK_NANOS)); // a close does not notify the registry
                    continue;
                }
                try {
                    consumer.poll(Duration.ofNanos(wait)).forEach(buffer::add);
                } catch (WakeupException e) {
                    // woken for a new topic or a close: look again
                }
            }
            return take(maxRecords);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns up to {@code maxRecords} buffered records, plus the rest of an append whose records follow in the
     * same partition (the contract's "never split a batch"). Positions are per record, so a split that still
     * happens (an append's records arriving in two fetches) resumes exactly too.
     */
    private LogBatch take(int maxRecords) {
        List<LogRecord> out = new ArrayList<>();
        ConsumerRecord<String, byte[]> last = null;
        while (!buffer.isEmpty()) {
            ConsumerRecord<String, byte[]> next = buffer.peekFirst();
            if (out.size() >= maxRecords && !sameAppend(last, next)) {
                break;
            }
            buffer.pollFirst();
            TopicPartition tp = new TopicPartition(next.topic(), next.partition());
            position = position.with(KafkaEventLog.name(tp), next.offset());
            last = next;
            LogRecord record = decode(next);
            if (record != null) {
                out.add(record);
            }
        }
        return new LogBatch(out, position);
    }

    private static boolean sameAppend(ConsumerRecord<String, byte[]> a, ConsumerRecord<String, byte[]> b) {
        if (a == null || a.partition() != b.partition() || !a.topic().equals(b.topic())) {
            return false;
        }
        Header ha = a.headers().lastHeader(KafkaEventLog.APPEND_HEADER);
        Header hb = b.headers().lastHeader(KafkaEventLog.APPEND_HEADER);
        return ha != null && hb != null && Arrays.equals(ha.value(), hb.value());
    }

    /** The log record in a Kafka record; {@code null} (logged) for a record Tally did not write. */
    private LogRecord decode(ConsumerRecord<String, byte[]> r) {
        Header header = r.headers().lastHeader(KafkaEventLog.PROJECT_HEADER);
        String project = header != null ? new String(header.value(), StandardCharsets.UTF_8)
                : settings.projectOfTopic(r.topic()).orElse(null);
        if (project == null || r.key() == null) {
            LOG.warn("skipping record {}/{}@{}: no {} header or no key, so it was not written by Tally", r.topic(),
                    r.partition(), r.offset(), KafkaEventLog.PROJECT_HEADER);
            return null;
        }
        return new LogRecord(project, settings.eventId(project, r.key()), r.value() == null ? new byte[0] : r.value());
    }

    /** Assigns the partitions of topics that appeared since the last look; new ones start after the position. */
    private void reassignIfChanged() {
        long now = System.nanoTime();
        long generation = topics.generation();
        boolean due = now - nextDiscovery >= 0;
        if (generation == seenGeneration && !due) {
            return;
        }
        if (due) {
            nextDiscovery = now + settings.discoveryInterval.toNanos();
        }
        List<TopicPartition> all;
        try {
            all = topics.partitions(due ? settings.discoveryInterval.toNanos() : Long.MAX_VALUE);
            discoveryFailing = false;
        } catch (CloudStorageException e) {
            // Keep reading what is assigned; a cluster that is down answers nothing anyway.
            if (!discoveryFailing) {
                LOG.warn("consumer {} could not look for new Kafka topics; retrying: {}", group, e.getMessage());
            }
            discoveryFailing = true;
            return;
        }
        seenGeneration = topics.generation();
        Set<TopicPartition> next = Set.copyOf(all);
        if (next.equals(assigned)) {
            return;
        }
        consumer.assign(next);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : next) {
            if (assigned.contains(tp)) {
                continue;
            }
            long last = position.lastOffset(KafkaEventLog.name(tp));
            if (last >= 0) {
                consumer.seek(tp, last + 1);
            } else {
                fromStart.add(tp);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        LOG.debug("consumer {} reads {} partition(s)", group, next.size());
        assigned = next;
    }

    private void awaitTopics(long nanos) {
        try {
            topics.awaitChange(seenGeneration, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudStorageException("interrupted while waiting for Kafka topics", e);
        }
    }

    /**
     * Moves the position over offsets that hold no record for Tally (transaction markers, records removed by
     * compaction or retention), so that a caught-up consumer covers {@link KafkaEventLog#endPosition()}.
     */
    private void skipGaps() {
        for (TopicPartition tp : assigned) {
            long next;
            try {
                next = consumer.position(tp, Duration.ZERO);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                continue; // the start offset is still being looked up: nothing read there yet
            } catch (WakeupException e) {
                return;
            }
            String name = KafkaEventLog.name(tp);
            if (next - 1 > position.lastOffset(name)) {
                position = position.with(name, next - 1);
            }
        }
    }

    private void commitHandedOut() {
        if (position.equals(committed)) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : assigned) {
            String name = KafkaEventLog.name(tp);
            long last = position.lastOffset(name);
            if (last >= 0 && last != committed.lastOffset(name)) {
                offsets.put(tp, new OffsetAndMetadata(last + 1));
            }
        }
        committed = position;
        if (!offsets.isEmpty()) {
            try {
                consumer.commitAsync(offsets, (done, e) -> {
                    if (e != null) {
                        LOG.debug("committing offsets of consumer group {} failed (best effort): {}", group, e.toString());
                    }
                });
            } catch (KafkaException e) {
                LOG.debug("committing offsets of consumer group {} failed (best effort): {}", group, e.toString());
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Kafka subscription of consumer group " + group + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopListening.run();
        consumer.wakeup();
        try {
            if (!lock.tryLock(30, TimeUnit.SECONDS)) {
                LOG.warn("consumer {} is still polling after 30 s; leaving its Kafka consumer open", group);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException e) {
            LOG.debug("closing the Kafka consumer of group {}", group, e);
        } finally {
            lock.unlock();
            onClose.accept(this);
        }
    }
}
