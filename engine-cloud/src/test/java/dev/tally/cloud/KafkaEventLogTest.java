package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Opening the Kafka event log without a cluster: settings are checked before anything connects, and a cluster
 * that does not answer fails the start in bounded time, naming the address. The log against a real broker is
 * tested in the testkit ({@code CloudEventLogContractTest}, {@code CloudKafkaEventLogTest}).
 */
class KafkaEventLogTest {

    private static BackendConfig config(String bootstrap, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("tally.kafka.bootstrap-servers", bootstrap);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return BackendConfig.of(m, InstantSource.system());
    }

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void producerPropertiesThatContradictEachOtherFailBeforeConnecting() throws IOException {
        long started = System.nanoTime();
        assertThatThrownBy(() -> new KafkaEventLog(config("localhost:" + closedPort(),
                "tally.kafka.producer.delivery.timeout.ms", "1000",
                "tally.kafka.producer.request.timeout.ms", "5000"), ""))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.kafka.producer.")
                .hasMessageContaining("delivery.timeout.ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aClusterThatDoesNotAnswerFailsTheStartWithinTheAdminTimeoutNamingItsAddress() throws IOException {
        String bootstrap = "localhost:" + closedPort();
        long started = System.nanoTime();
        assertThatThrownBy(() -> new KafkaEventLog(config(bootstrap,
                "tally.kafka.admin.default.api.timeout.ms", "1500",
                "tally.kafka.admin.request.timeout.ms", "1000"), ""))
                .isInstanceOf(CloudStorageException.class)
                .hasMessageContaining(bootstrap);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
