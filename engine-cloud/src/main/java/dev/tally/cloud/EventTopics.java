package dev.tally.cloud;

import dev.tally.spi.BackendConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the cloud event log lives in Kafka, for a reader outside the engine (the Flink aggregation job): the
 * brokers, the pattern of the event topics, the consumer properties and group, and how a partition is named in a
 * {@link dev.tally.spi.LogPosition}. Read from the same {@code tally.kafka.*} and {@code tally.cloud.namespace}
 * settings as {@link KafkaEventLog}, and checked the same way. Immutable.
 */
public final class EventTopics {
    private final KafkaSettings settings;

    private EventTopics(KafkaSettings settings) {
        this.settings = settings;
    }

    /** @throws dev.tally.api.ConfigurationException for a missing or wrong {@code tally.kafka.*} setting */
    public static EventTopics from(BackendConfig config) {
        return new EventTopics(new KafkaSettings(config, CloudBackend.namespace(config)));
    }

    public String bootstrapServers() {
        return settings.bootstrapServers;
    }

    /** Matches every topic holding this deployment's events (new projects' topics included). */
    public Pattern topicPattern() {
        return settings.mode == KafkaSettings.TopicMode.SHARED
                ? Pattern.compile(Pattern.quote(settings.sharedTopic))
                : Pattern.compile(Pattern.quote(settings.topicPrefix) + ".+");
    }

    /** The consumer group of a named reader: {@code <namespace.>tally-<consumer>}, as the engine's subscriptions. */
    public String group(String consumer) {
        return settings.groupPrefix + consumer;
    }

    /**
     * The pass-through consumer properties ({@code tally.kafka.consumer.*}: security, timeouts, tuning) with
     * Tally's defaults, without the ones a reader sets itself (deserializers, group, offsets handling).
     */
    public Map<String, String> consumerProperties() {
        Map<String, String> props = new HashMap<>();
        settings.consumer.forEach((k, v) -> props.put(k, String.valueOf(v)));
        props.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        props.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        props.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        return props;
    }

    /** A partition's name in a {@link dev.tally.spi.LogPosition}: {@code <topic>/<partition>}. */
    public static String partitionName(String topic, int partition) {
        return topic + "/" + partition;
    }
}
