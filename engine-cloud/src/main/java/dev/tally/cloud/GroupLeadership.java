package dev.tally.cloud;

import dev.tally.spi.Leadership;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Elects one engine instance among those sharing a Kafka cluster to run the background jobs, through a Kafka
 * consumer group: every instance joins group {@code <ns.>tally-leader} on a one-partition topic
 * ({@code <ns.>tally.leader}, never written), and the member the group assigns partition 0 leads. Kafka's group
 * protocol does the rest: a crashed leader is replaced after the session timeout ({@code 10 s}), a leader that
 * shuts down hands over at once, and the cooperative-sticky assignor keeps the lead where it is when members join.
 *
 * <p>Within this process, losing the lead waits for running steps to exit before the group may reassign it
 * ({@link #enter()} / {@link #exit()} hold a read lock; revocation takes the write lock). Across processes, a
 * leader that stalls longer than the session timeout (a long GC pause) may overlap its successor for one step;
 * what the jobs write is idempotent or checkpointed, so an overlap repeats work rather than corrupting it.
 */
final class GroupLeadership implements Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLeadership.class);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ReentrantReadWriteLock fence = new ReentrantReadWriteLock();
    private final Thread poller;
    private volatile boolean leader;
    private volatile boolean running = true;

    /** @param settings the event log's Kafka settings: bootstrap servers and the checked client properties */
    GroupLeadership(KafkaSettings settings, String namespace) {
        String prefix = namespace.isEmpty() ? "" : namespace + ".";
        this.topic = prefix + "tally.leader";
        createTopic(settings.admin);
        Map<String, Object> props = new HashMap<>(settings.consumer);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupPrefix + "leader");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // The topic stays empty: the event consumers' short fetch wait would only make this poll the broker often.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        props.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tally-leader-" + Long.toHexString(System.nanoTime()));
        consumer = new KafkaConsumer<>(props);
        poller = new Thread(this::poll, "tally-leader-election");
        poller.setDaemon(true);
        poller.start();
    }

    private void createTopic(Map<String, Object> adminProperties) {
        try (Admin admin = Admin.create(adminProperties)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new CloudStorageException("cannot create Kafka topic " + topic + " for leader election: "
                        + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new CloudStorageException("Kafka did not answer within 30 s while creating topic " + topic
                    + " (is tally.kafka.bootstrap-servers right?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudStorageException("interrupted while creating topic " + topic, e);
        }
    }

    private void poll() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (partitions.contains(new TopicPartition(topic, 0))) {
                    leader = true;
                    LOG.info("this instance now runs the background jobs (aggregator, archiver, rollups, retention)");
                }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (partitions.contains(new TopicPartition(topic, 0))) {
                    lose("handed over");
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (partitions.contains(new TopicPartition(topic, 0))) {
                    lose("lost (the group moved on without this instance)");
                }
            }
        });
        while (running) {
            try {
                consumer.poll(Duration.ofMillis(200));
            } catch (WakeupException e) {
                break;
            } catch (RuntimeException e) {
                LOG.warn("leader election: {}", e.toString());
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            LOG.debug("closing the leader-election consumer", e);
        }
        lose("stopped");
    }

    /** Gives up the lead and waits until no step of this instance runs any more. */
    private void lose(String why) {
        if (!leader) {
            return;
        }
        leader = false;
        fence.writeLock().lock();
        fence.writeLock().unlock();
        LOG.info("this instance no longer runs the background jobs: {}", why);
    }

    @Override
    public boolean enter() {
        if (!leader) {
            return false;
        }
        fence.readLock().lock();
        if (!leader) {
            fence.readLock().unlock();
            return false;
        }
        return true;
    }

    @Override
    public void exit() {
        fence.readLock().unlock();
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            poller.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
