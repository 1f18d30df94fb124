package dev.tally.testkit.cloud;

import dev.tally.cloud.KafkaEventLog;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one embedded Kafka broker the Kafka tests of this JVM share, started on first use and closed by a
 * shutdown hook. Tests keep apart through namespaces ({@link #namespaceOf(Path)}).
 */
final class KafkaTestServer {
    private static EmbeddedKafka kafka;

    private KafkaTestServer() {
    }

    static synchronized EmbeddedKafka get() {
        if (kafka == null) {
            try {
                kafka = EmbeddedKafka.start(Files.createTempDirectory("tally-kafka-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedKafka started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-shutdown"));
        }
        return kafka;
    }

    /**
     * A namespace derived from a test's directory, so that a backend reopened on the same directory sees the same
     * topics and another test's directory sees none of them.
     */
    static String namespaceOf(Path dir) {
        String name = dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() <= 30 ? name : name.substring(name.length() - 30);
    }

    /** Settings for a Kafka event log on the shared broker, plus {@code extra}. */
    static BackendConfig config(String namespace, InstantSource clock, Map<String, String> extra) {
        return config(get(), namespace, clock, extra);
    }

    static BackendConfig config(EmbeddedKafka server, String namespace, InstantSource clock, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(server.settings());
        settings.put("tally.cloud.namespace", namespace);
        settings.putAll(extra);
        return BackendConfig.of(settings, clock);
    }

    /** A backend holding only a {@link KafkaEventLog}, for the event log's contract suites. */
    static Backend eventLogOnly(KafkaEventLog log) {
        return new PartialBackend().eventLog(log).closing(log);
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("this test backend holds only the Kafka event log");
    }
}
