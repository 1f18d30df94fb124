package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code tally.kafka.*} settings of {@link KafkaEventLog}, read and checked once at construction so that a
 * wrong key fails the backend's start with a message naming it. Immutable.
 *
 * <p>Client properties pass through under {@code tally.kafka.producer.}, {@code tally.kafka.consumer.} and
 * {@code tally.kafka.admin.} (security, timeouts, tuning); topic configs for the topics Tally creates under
 * {@code tally.kafka.topic-config.}. The properties Tally's guarantees rest on (acks, idempotence, serializers,
 * offset handling) cannot be overridden.
 */
final class KafkaSettings {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSettings.class);
    static final String PREFIX = "tally.kafka.";
    static final String BOOTSTRAP_SERVERS = PREFIX + "bootstrap-servers";
    static final String TOPICS = PREFIX + "topics";
    static final String TOPIC_PREFIX = PREFIX + "topic-prefix";
    static final String SHARED_TOPIC = PREFIX + "shared-topic";
    static final String PARTITIONS = PREFIX + "partitions";
    static final String PARTITIONING = PREFIX + "partitioning";
    static final String REPLICATION_FACTOR = PREFIX + "replication-factor";
    static final String DISCOVERY_INTERVAL = PREFIX + "topic-discovery-interval";
    static final String PRODUCER = PREFIX + "producer.";
    static final String CONSUMER = PREFIX + "consumer.";
    static final String ADMIN = PREFIX + "admin.";
    static final String TOPIC_CONFIG = PREFIX + "topic-config.";

    /** Kafka's legal topic characters; a name is at most {@link #MAX_TOPIC_LENGTH} long. */
    static final Pattern TOPIC_CHARS = Pattern.compile("[a-zA-Z0-9._-]*");
    static final int MAX_TOPIC_LENGTH = 249;

    /** Where a project's records go. */
    enum TopicMode {
        /** One topic per project, {@code <prefix><projectId>}, record key = event id: suits a few large projects. */
        PER_PROJECT,
        /** One topic for every project, record key = {@code projectId:eventId}: suits many small projects. */
        SHARED
    }

    /** Producer properties Tally sets itself: exactly-once appends per partition and a whole batch acknowledged. */
    private static final Set<String> FIXED_PRODUCER = Set.of(ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    /** Consumer properties Tally sets itself: positions are Tally's, offsets are committed by hand. */
    private static final Set<String> FIXED_CONSUMER = Set.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    private static final Set<String> FIXED_ADMIN = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);

    final String bootstrapServers;
    final TopicMode mode;
    /** Namespace prefix ({@code "ns."} or {@code ""}) plus the per-project topic prefix. */
    final String topicPrefix;
    /** The one topic of {@link TopicMode#SHARED}, namespace included. */
    final String sharedTopic;
    /** Prefix of the consumer groups Tally commits to: {@code <namespace.>tally-}. */
    final String groupPrefix;
    final int partitions;
    /**
     * {@code true} ({@code partitioning=project}, the default): every record of a project goes to one partition
     * (chosen by the project id), so each project's records stay in append order, which the in-process
     * aggregator's per-project watermark relies on. {@code false} ({@code event-id}): records spread by their key,
     * for a stream processor that tracks watermarks per partition.
     */
    final boolean partitionByProject;
    final Optional<Short> replicationFactor;
    final Duration discoveryInterval;
    final Map<String, Object> producer;
    final Map<String, Object> consumer;
    final Map<String, Object> admin;
    final Map<String, String> topicConfigs;
    /** How long {@link KafkaEventLog#append} waits for its acknowledgements at most (send block + delivery). */
    final Duration appendTimeout;
    /** Bound on one admin call (topic listing, offsets, creation). */
    final Duration adminTimeout;

    KafkaSettings(BackendConfig config, String namespace) {
        String ns = namespace.isEmpty() ? "" : namespace + ".";
        bootstrapServers = config.required(BOOTSTRAP_SERVERS);
        try {
            ClientUtils.parseAndValidateAddresses(List.of(bootstrapServers.split(",")), ClientDnsLookup.USE_ALL_DNS_IPS);
        } catch (ConfigException e) {
            throw new ConfigurationException("setting '" + BOOTSTRAP_SERVERS + "' must be host:port[,host:port...], got '"
                    + bootstrapServers + "': " + e.getMessage(), e);
        }
        mode = switch (config.string(TOPICS).orElse("per-project").toLowerCase(Locale.ROOT)) {
            case "per-project" -> TopicMode.PER_PROJECT;
            case "shared" -> TopicMode.SHARED;
            default -> throw new ConfigurationException("setting '" + TOPICS + "' must be per-project or shared, got '"
                    + config.get(TOPICS) + "'");
        };
        topicPrefix = ns + topicName(config, TOPIC_PREFIX, "events.");
        sharedTopic = ns + topicName(config, SHARED_TOPIC, "events");
        groupPrefix = ns + "tally-";
        partitionByProject = switch (config.string(PARTITIONING).orElse("project").toLowerCase(Locale.ROOT)) {
            case "project" -> true;
            case "event-id" -> false;
            default -> throw new ConfigurationException("setting '" + PARTITIONING + "' must be project or event-id, got '"
                    + config.get(PARTITIONING) + "'");
        };
        // A per-project topic partitioned by project fills one partition: more would stay empty.
        long p = config.longValue(PARTITIONS, mode == TopicMode.PER_PROJECT && partitionByProject ? 1 : 6);
        if (p < 1 || p > 100_000) {
            throw new ConfigurationException("setting '" + PARTITIONS + "' must be between 1 and 100000, got " + p);
        }
        partitions = (int) p;
        long rf = config.longValue(REPLICATION_FACTOR, -1);
        if (config.string(REPLICATION_FACTOR).isPresent() && (rf < 1 || rf > Short.MAX_VALUE)) {
            throw new ConfigurationException("setting '" + REPLICATION_FACTOR + "' must be a positive number of "
                    + "replicas (leave it out for the broker's default), got " + rf);
        }
        replicationFactor = rf < 1 ? Optional.empty() : Optional.of((short) rf);
        discoveryInterval = config.duration(DISCOVERY_INTERVAL, Duration.ofSeconds(1));
        if (discoveryInterval.isNegative() || discoveryInterval.isZero()) {
            throw new ConfigurationException("setting '" + DISCOVERY_INTERVAL + "' must be positive, got "
                    + config.get(DISCOVERY_INTERVAL));
        }

        producer = clientProperties(config, PRODUCER, FIXED_PRODUCER, ProducerConfig.configNames());
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1"); // appends wait for acks: do not linger long
        producer.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        producer.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        producer.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // One request in flight per broker: with more, a partition's first batch from this producer can be
        // refused (a leader not ready yet, e.g. right after topic creation) while a later one is accepted, and the
        // retry then fails with OutOfOrderSequence until the delivery timeout. Concurrent appends still share
        // requests, since every record waiting in the producer goes out with the next one.
        producer.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, Object> checkedProducer = check(PRODUCER, ProducerConfig.configDef(), producer);
        appendTimeout = Duration.ofMillis((Long) checkedProducer.get(ProducerConfig.MAX_BLOCK_MS_CONFIG)
                + (Integer) checkedProducer.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));

        consumer = clientProperties(config, CONSUMER, FIXED_CONSUMER, ConsumerConfig.configNames());
        consumer.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        consumer.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        // Under load, fetch in 64 KB steps rather than one tiny request per produce: the consumers (aggregator,
        // archiver) then cost the broker and themselves a fraction of the calls, for at most 20 ms of freshness.
        consumer.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        consumer.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        consumer.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A position older than the retained log (truncated meanwhile) resumes at the oldest retained record.
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        check(CONSUMER, ConsumerConfig.configDef(), consumer);

        admin = clientProperties(config, ADMIN, FIXED_ADMIN, AdminClientConfig.configNames());
        admin.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        admin.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        admin.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, Object> checkedAdmin = check(ADMIN, AdminClientConfig.configDef(), admin);
        adminTimeout = Duration.ofMillis((Integer) checkedAdmin.get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG));

        topicConfigs = new TreeMap<>(config.withPrefix(TOPIC_CONFIG));
        for (String key : topicConfigs.keySet()) {
            if (!TOPIC_CONFIG_NAMES.contains(key)) {
                throw new ConfigurationException("setting '" + TOPIC_CONFIG + key + "' is not a Kafka topic config");
            }
        }
        // Tally's retention truncates the log once it is consumed; Kafka's own time retention would count from
        // record timestamps (the engine clock) and could drop records no consumer has read yet.
        topicConfigs.putIfAbsent(TopicConfig.RETENTION_MS_CONFIG, "-1");
    }

    /** The topic a project's records go to. */
    String topicFor(String projectId) {
        String topic = mode == TopicMode.SHARED ? sharedTopic : topicPrefix + projectId;
        if (topic.length() > MAX_TOPIC_LENGTH || !TOPIC_CHARS.matcher(topic).matches()) {
            throw new IllegalArgumentException("project id '" + projectId + "' does not make a legal Kafka topic name: '"
                    + topic + "'");
        }
        return topic;
    }

    /** Whether a topic holds this Tally deployment's records. */
    boolean isTallyTopic(String topic) {
        return mode == TopicMode.SHARED ? topic.equals(sharedTopic)
                : topic.startsWith(topicPrefix) && topic.length() > topicPrefix.length();
    }

    /** The record key of an event: the event id, prefixed by the project in a shared topic. */
    String key(String projectId, String eventId) {
        return mode == TopicMode.SHARED ? projectId + ":" + eventId : eventId;
    }

    /** The event id inside a record key written by {@link #key}. */
    String eventId(String projectId, String key) {
        if (mode == TopicMode.SHARED && key.length() > projectId.length() && key.startsWith(projectId)
                && key.charAt(projectId.length()) == ':') {
            return key.substring(projectId.length() + 1);
        }
        return key;
    }

    /** The project a per-project topic belongs to, for records that carry no project header. */
    Optional<String> projectOfTopic(String topic) {
        return mode == TopicMode.PER_PROJECT && isTallyTopic(topic)
                ? Optional.of(topic.substring(topicPrefix.length())) : Optional.empty();
    }

    private static String topicName(BackendConfig config, String key, String defaultValue) {
        String value = config.string(key).orElse(defaultValue);
        // An empty prefix would make every topic of the cluster (or namespace) look like a project's.
        if (value.isEmpty() || value.length() > 200 || !TOPIC_CHARS.matcher(value).matches()) {
            throw new ConfigurationException("setting '" + key + "' must be 1 to 200 of the characters Kafka allows "
                    + "in topic names (a-z A-Z 0-9 . _ -), got '" + value + "'");
        }
        return value;
    }

    private static Map<String, Object> clientProperties(BackendConfig config, String prefix, Set<String> fixed,
                                                        Set<String> known) {
        Map<String, Object> props = new HashMap<>();
        config.withPrefix(prefix).forEach((key, value) -> {
            if (fixed.contains(key)) {
                throw new ConfigurationException("setting '" + prefix + key + "' cannot be changed: Tally sets '" + key
                        + "' itself" + (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                        ? " from '" + BOOTSTRAP_SERVERS + "'" : ""));
            }
            if (!known.contains(key)) {
                // Plugins (interceptors, login callbacks) read their own keys, so unknown ones are allowed.
                LOG.warn("setting '{}{}' is not a Kafka client property; passing it through anyway", prefix, key);
            }
            props.put(key, value);
        });
        return props;
    }

    /** Parses client properties the way the client will (types, ranges), without its config logging. */
    private static Map<String, Object> check(String prefix, ConfigDef definition, Map<String, Object> props) {
        return client(prefix, () -> definition.parse(props));
    }

    /**
     * Creates a Kafka client (or parses its properties); a property the client refuses (including checks across
     * properties that only the client makes) fails as a {@link ConfigurationException} naming the prefix.
     */
    static <T> T client(String prefix, java.util.function.Supplier<T> create) {
        try {
            return create.get();
        } catch (KafkaException e) { // ConfigException, or "failed to construct" wrapping one
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException c) {
                    throw new ConfigurationException("a Kafka client setting under '" + prefix + "' (or '"
                            + BOOTSTRAP_SERVERS + "') is invalid: " + c.getMessage(), e);
                }
            }
            throw e;
        }
    }

    /** The names of Kafka's topic configs, read from {@link TopicConfig}'s {@code *_CONFIG} constants. */
    private static final Set<String> TOPIC_CONFIG_NAMES = readTopicConfigNames();

    private static Set<String> readTopicConfigNames() {
        Set<String> names = new java.util.HashSet<>();
        for (java.lang.reflect.Field f : TopicConfig.class.getFields()) {
            if (f.getName().endsWith("_CONFIG") && f.getType() == String.class) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Set.copyOf(names);
    }
}
