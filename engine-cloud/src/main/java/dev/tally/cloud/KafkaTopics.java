package dev.tally.cloud;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The Kafka topics that hold one Tally deployment's log: creates a project's topic on its first append and
 * discovers topics that other engine instances created, so that end positions and subscriptions cover every
 * project. Known topics are cached; {@link #refresh()} asks the cluster again.
 *
 * <p>Subscriptions {@link #onChange register} to hear about new topics at once instead of at their next periodic
 * refresh. Thread-safe.
 */
final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private final Admin admin;
    private final KafkaSettings settings;
    private final Object lock = new Object();
    /** Topic name → its description; replaced as a whole under {@link #lock}, read without it. */
    private volatile Map<String, TopicDescription> known = Map.of();
    private volatile long refreshedAtNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    /** Moves on whenever the set of known partitions changes; guarded by {@link #lock}, which is notified. */
    private long generation;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    KafkaTopics(Admin admin, KafkaSettings settings) {
        this.admin = admin;
        this.settings = settings;
    }

    /** Makes sure {@code topic} exists, creating it with Tally's partitions and configs when it does not. */
    void ensure(String topic) {
        if (known.containsKey(topic)) {
            return;
        }
        synchronized (lock) {
            if (known.containsKey(topic)) {
                return;
            }
            NewTopic newTopic = new NewTopic(topic, java.util.Optional.of(settings.partitions), settings.replicationFactor)
                    .configs(settings.topicConfigs);
            try {
                get(admin.createTopics(List.of(newTopic)).all(), "create topic " + topic);
                LOG.info("created Kafka topic {} ({} partitions)", topic, settings.partitions);
            } catch (CloudStorageException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                LOG.debug("Kafka topic {} exists already (another engine created it)", topic);
            }
            update(merged(known, describeNew(topic)));
        }
    }

    /**
     * The partitions of every known topic, asking the cluster for new topics first when the last refresh is
     * older than {@code maxAgeNanos}.
     */
    List<TopicPartition> partitions(long maxAgeNanos) {
        if (System.nanoTime() - refreshedAtNanos > maxAgeNanos) {
            refresh();
        }
        return partitionsOf(known);
    }

    /**
     * Lists the cluster's topics again and describes this deployment's (new partitions of old topics too). A
     * topic once known stays known: a topic just created may be missing from a broker's listing for a moment.
     */
    void refresh() {
        Set<String> names = get(admin.listTopics(new ListTopicsOptions().listInternal(false)).names(), "list topics")
                .stream().filter(settings::isTallyTopic).collect(Collectors.toSet());
        Map<String, TopicDescription> described = names.isEmpty() ? Map.of() : describe(names);
        synchronized (lock) {
            update(merged(known, described));
            refreshedAtNanos = System.nanoTime();
        }
    }

    /** The description of a known topic (partition leaders), or {@code null}. */
    TopicDescription description(String topic) {
        return known.get(topic);
    }

    /** A number that moves on whenever the set of known partitions changes. */
    long generation() {
        synchronized (lock) {
            return generation;
        }
    }

    /** Waits up to {@code nanos} for the known partitions to change from {@code seen}; returns the generation. */
    long awaitChange(long seen, long nanos) throws InterruptedException {
        synchronized (lock) {
            if (generation == seen && nanos > 0) {
                TimeUnit.NANOSECONDS.timedWait(lock, nanos);
            }
            return generation;
        }
    }

    /** Runs {@code listener} (quickly, on the changing thread) whenever the known partitions change. */
    Runnable onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Describes a topic just created (here or by another engine): the broker answering may learn of it a moment
     * after the controller, so "unknown topic" is retried until the admin timeout.
     */
    private Map<String, TopicDescription> describeNew(String topic) {
        long deadline = System.nanoTime() + settings.adminTimeout.toNanos();
        long backoffMillis = 5;
        while (true) {
            try {
                return describe(List.of(topic));
            } catch (CloudStorageException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloudStorageException("interrupted while waiting for new Kafka topic " + topic, e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 200);
        }
    }

    private Map<String, TopicDescription> describe(Collection<String> names) {
        return get(admin.describeTopics(names).allTopicNames(), "describe topics " + names);
    }

    private static Map<String, TopicDescription> merged(Map<String, TopicDescription> base,
                                                        Map<String, TopicDescription> more) {
        Map<String, TopicDescription> all = new TreeMap<>(base);
        all.putAll(more);
        return Map.copyOf(all);
    }

    /** Caller holds {@link #lock}. */
    private void update(Map<String, TopicDescription> next) {
        boolean changed = !partitionsOf(next).equals(partitionsOf(known));
        known = next;
        if (changed) {
            generation++;
            lock.notifyAll();
            listeners.forEach(Runnable::run);
        }
    }

    private static List<TopicPartition> partitionsOf(Map<String, TopicDescription> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (TopicDescription d : topics.values()) {
            d.partitions().forEach(p -> out.add(new TopicPartition(d.name(), p.partition())));
        }
        out.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return out;
    }

    /** Waits for an admin call, bounded by the admin timeout; failures name the operation and the cluster. */
    <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(settings.adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudStorageException("interrupted while Kafka (" + settings.bootstrapServers + ") was asked to "
                    + what, e);
        } catch (ExecutionException e) {
            throw new CloudStorageException("Kafka (" + settings.bootstrapServers + ") could not " + what + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new CloudStorageException("Kafka (" + settings.bootstrapServers + ") did not " + what + " within "
                    + settings.adminTimeout, e);
        }
    }
}
