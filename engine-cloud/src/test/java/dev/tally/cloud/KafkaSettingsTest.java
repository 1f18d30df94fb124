package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading and checking the {@code tally.kafka.*} settings; no broker needed, none contacted. */
class KafkaSettingsTest {

    private static KafkaSettings settings(String namespace, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("tally.kafka.bootstrap-servers", "localhost:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new KafkaSettings(BackendConfig.of(m, InstantSource.system()), namespace);
    }

    @Test
    void defaultsAreOneTopicPerProjectWithOnePartitionAndTheBrokersReplicationFactor() {
        KafkaSettings s = settings("");
        assertThat(s.mode).isEqualTo(KafkaSettings.TopicMode.PER_PROJECT);
        assertThat(s.topicFor("acme")).isEqualTo("events.acme");
        assertThat(s.key("acme", "e1")).isEqualTo("e1");
        assertThat(s.partitions).as("a project's records stay in one partition").isEqualTo(1);
        assertThat(s.partitionByProject).isTrue();
        assertThat(s.replicationFactor).isEmpty();
        assertThat(s.groupPrefix).isEqualTo("tally-");
        assertThat(s.producer).containsEntry("acks", "all").containsEntry("enable.idempotence", "true");
        assertThat(s.consumer).containsEntry("enable.auto.commit", "false");
        assertThat(s.topicConfigs).containsEntry("retention.ms", "-1");
        assertThat(s.appendTimeout).as("the spool takes over within 15 s").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aNamespacePrefixesTopicsAndConsumerGroups() {
        KafkaSettings perProject = settings("t1", "tally.kafka.topic-prefix", "ev-");
        assertThat(perProject.topicFor("acme")).isEqualTo("t1.ev-acme");
        assertThat(perProject.isTallyTopic("t1.ev-acme")).isTrue();
        assertThat(perProject.isTallyTopic("ev-acme")).isFalse();
        assertThat(perProject.isTallyTopic("t1.ev-")).isFalse();
        assertThat(perProject.projectOfTopic("t1.ev-acme")).contains("acme");
        assertThat(perProject.groupPrefix).isEqualTo("t1.tally-");

        KafkaSettings shared = settings("t1", "tally.kafka.topics", "shared");
        assertThat(shared.topicFor("acme")).isEqualTo("t1.events");
        assertThat(shared.isTallyTopic("t1.events")).isTrue();
        assertThat(shared.isTallyTopic("t1.events.acme")).isFalse();
    }

    @Test
    void aSharedTopicKeysByProjectAndEventIdAndReadsTheEventIdBack() {
        KafkaSettings s = settings("", "tally.kafka.topics", "SHARED", "tally.kafka.shared-topic", "all-events");
        assertThat(s.topicFor("acme")).isEqualTo("all-events");
        assertThat(s.key("acme", "e:1")).isEqualTo("acme:e:1");
        assertThat(s.eventId("acme", "acme:e:1")).isEqualTo("e:1");
        assertThat(s.projectOfTopic("all-events")).isEmpty();
    }

    @Test
    void clientPropertiesPassThroughWithTheirPrefixRemoved() {
        KafkaSettings s = settings("", "tally.kafka.producer.linger.ms", "20",
                "tally.kafka.producer.delivery.timeout.ms", "60000",
                "tally.kafka.consumer.max.poll.records", "2000",
                "tally.kafka.admin.security.protocol", "SSL",
                "tally.kafka.topic-config.retention.ms", "604800000",
                "tally.kafka.replication-factor", "3");
        assertThat(s.producer).containsEntry("linger.ms", "20");
        assertThat(s.appendTimeout).isEqualTo(Duration.ofSeconds(65));
        assertThat(s.consumer).containsEntry("max.poll.records", "2000");
        assertThat(s.admin).containsEntry("security.protocol", "SSL");
        assertThat(s.topicConfigs).containsEntry("retention.ms", "604800000");
        assertThat(s.replicationFactor).contains((short) 3);
    }

    @Test
    void wrongSettingsFailWithAMessageNamingTheKey() {
        assertThatThrownBy(() -> new KafkaSettings(BackendConfig.of(Map.of(), InstantSource.system()), ""))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.bootstrap-servers");
        assertThatThrownBy(() -> settings("", "tally.kafka.bootstrap-servers", "no port"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.bootstrap-servers");
        assertThatThrownBy(() -> settings("", "tally.kafka.topics", "per-tenant"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.topics");
        assertThatThrownBy(() -> settings("", "tally.kafka.partitions", "0"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.partitions");
        assertThatThrownBy(() -> settings("", "tally.kafka.replication-factor", "0"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.replication-factor");
        assertThatThrownBy(() -> settings("", "tally.kafka.topic-prefix", "events/"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.topic-prefix");
        assertThatThrownBy(() -> settings("", "tally.kafka.topic-discovery-interval", "0s"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.topic-discovery-interval");
        assertThatThrownBy(() -> settings("", "tally.kafka.topic-config.retention.mss", "1"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.topic-config.retention.mss");
    }

    @Test
    void clientPropertiesTallyReliesOnCannotBeOverridden() {
        assertThatThrownBy(() -> settings("", "tally.kafka.producer.acks", "1"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.producer.acks");
        assertThatThrownBy(() -> settings("", "tally.kafka.consumer.enable.auto.commit", "true"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.kafka.consumer.enable.auto.commit");
        assertThatThrownBy(() -> settings("", "tally.kafka.admin.bootstrap.servers", "other:9092"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.bootstrap-servers");
    }

    @Test
    void invalidClientPropertyValuesFailAtConstructionNamingTheirPrefix() {
        assertThatThrownBy(() -> settings("", "tally.kafka.producer.linger.ms", "soon"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.producer.")
                .hasMessageContaining("linger.ms");
        assertThatThrownBy(() -> settings("", "tally.kafka.consumer.max.poll.records", "-3"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.kafka.consumer.")
                .hasMessageContaining("max.poll.records");
    }

    @Test
    void projectIdsThatMakeNoLegalTopicNameAreRefused() {
        KafkaSettings s = settings("");
        assertThatThrownBy(() -> s.topicFor("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/b");
        assertThatThrownBy(() -> s.topicFor("x".repeat(250))).isInstanceOf(IllegalArgumentException.class);
    }
}
