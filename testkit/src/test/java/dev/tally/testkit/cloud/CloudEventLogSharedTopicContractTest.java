package dev.tally.testkit.cloud;

import dev.tally.cloud.KafkaEventLog;
import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.EventLogContract;

import java.nio.file.Path;
import java.util.Map;

/** The event log contract on Kafka with every project in one shared topic ({@code tally.kafka.topics=shared}). */
class CloudEventLogSharedTopicContractTest extends EventLogContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        String namespace = KafkaTestServer.namespaceOf(dir);
        return KafkaTestServer.eventLogOnly(new KafkaEventLog(KafkaTestServer.config(namespace, clock,
                Map.of("tally.kafka.topics", "shared", "tally.kafka.partitions", "1")), namespace));
    }
}
