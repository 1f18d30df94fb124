package dev.tally.testkit.cloud;

import dev.tally.cloud.KafkaEventLog;
import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.EventLogContract;

import java.nio.file.Path;
import java.util.Map;

/**
 * The event log contract on Kafka, one topic per project, on the shared embedded broker; each test in a
 * namespace of its own. Topics get one partition here: the contract checks append order within a project, and
 * Kafka orders records within a partition only (multi-partition topics: {@link CloudKafkaEventLogTest}).
 */
class CloudEventLogContractTest extends EventLogContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return KafkaTestServer.eventLogOnly(new KafkaEventLog(KafkaTestServer.config(KafkaTestServer.namespaceOf(dir),
                clock, Map.of("tally.kafka.partitions", "1")), KafkaTestServer.namespaceOf(dir)));
    }
}
