package dev.tally.testkit.cloud;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) inside this JVM, for tests and
 * {@code tally stack}: no Docker, no ZooKeeper, no installed Kafka. Built on Kafka's own test kit
 * ({@link KafkaClusterTestKit}, from {@code org.apache.kafka:kafka-test-common-runtime}).
 *
 * <p>The test kit binds random ports and cannot restart a node on them, so this class gives the node listeners
 * of its own ({@code TALLY} for clients, {@code TALLYCTL} for the controller) on ports it picks once: a
 * {@link #restart()} builds a new node on the same ports, data directory and cluster id — the data written
 * before {@link #stop()} is there again, and clients reconnect to the same address.
 *
 * <p>Broker settings suit tests: one replica everywhere, no topic auto-creation (Tally creates its topics),
 * record timestamps accepted however far they are from the wall clock (tests drive the engine clock), no
 * time-based retention. Not thread-safe: one owner starts, stops and closes it.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CLIENT_LISTENER = "TALLY";
    private static final String CONTROLLER_LISTENER = "TALLYCTL";

    private final Path workDir;
    private final TestKitNodes nodes;
    private final int clientPort;
    private KafkaClusterTestKit cluster;
    private boolean closed;

    private EmbeddedKafka(Path workDir, TestKitNodes nodes, int clientPort) {
        this.workDir = workDir;
        this.nodes = nodes;
        this.clientPort = clientPort;
    }

    /**
     * Formats and starts a fresh single-node cluster on free ports, its data under {@code workDir} (created if
     * missing).
     *
     * @throws IllegalStateException when the broker does not come up
     */
    public static EmbeddedKafka start(Path workDir) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(workDir);
            int clientPort = LocalFiles.freePort();
            int controllerPort = LocalFiles.freePort();
            int nodeId = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                    .setBaseDirectory(workDir).build().brokerNodes().firstKey();
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(workDir)
                    .setPerServerProperties(Map.of(nodeId, listeners(nodeId, clientPort, controllerPort)))
                    .build();
            EmbeddedKafka kafka = new EmbeddedKafka(workDir, nodes, clientPort);
            kafka.launch(true);
            LOG.info("embedded Kafka started on {} in {} ms (data in {})", kafka.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), workDir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Kafka under " + workDir, e);
        }
    }

    /** The node's own listeners on fixed ports: what lets a restarted node keep its address. */
    private static Map<String, String> listeners(int nodeId, int clientPort, int controllerPort) {
        Map<String, String> p = new HashMap<>();
        p.put("listeners", CLIENT_LISTENER + "://localhost:" + clientPort + "," + CONTROLLER_LISTENER + "://localhost:"
                + controllerPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://localhost:" + clientPort);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("controller.quorum.voters", nodeId + "@localhost:" + controllerPort);
        return p;
    }

    private void launch(boolean format) {
        KafkaClusterTestKit kit = null;
        try {
            kit = new KafkaClusterTestKit.Builder(nodes)
                    .setDeleteOnClose(false)
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "1")
                    // Tests drive the engine clock, which stamps records: accept any timestamp, never expire by it.
                    .setConfigProp("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE))
                    .setConfigProp("log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE))
                    .setConfigProp("log.retention.ms", "-1")
                    // Small files: a test creates a few topics with a few records each.
                    .setConfigProp("log.segment.bytes", Integer.toString(1 << 20))
                    .setConfigProp("log.index.size.max.bytes", Integer.toString(1 << 20))
                    .setConfigProp("num.network.threads", "2")
                    .setConfigProp("num.io.threads", "2")
                    .setConfigProp("background.threads", "2")
                    .build();
            if (format) {
                kit.format();
            }
            kit.startup();
            kit.waitForReadyBrokers();
            cluster = kit;
        } catch (Exception e) {
            if (kit != null) {
                try {
                    kit.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("embedded Kafka did not start on port " + clientPort + " (data in "
                    + workDir + ")", e);
        }
    }

    /** {@code localhost:<port>}: the address clients connect to; the same after a {@link #restart()}. */
    public String bootstrapServers() {
        return "localhost:" + clientPort;
    }

    /** The settings that point Tally's cloud event log at this broker. */
    public Map<String, String> settings() {
        return Map.of("tally.kafka.bootstrap-servers", bootstrapServers());
    }

    /** Whether the broker is running (started and not stopped or closed). */
    public boolean isRunning() {
        return cluster != null;
    }

    /** Stops the broker, keeping its data directory and ports for {@link #restart()}. Does nothing when stopped. */
    public void stop() {
        checkNotClosed();
        if (cluster == null) {
            return;
        }
        KafkaClusterTestKit kit = cluster;
        cluster = null; // the test kit's close() is not idempotent: call it once whatever it throws
        try {
            kit.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka on port " + clientPort + " did not stop cleanly", e);
        }
        LOG.info("embedded Kafka on {} stopped (data kept)", bootstrapServers());
    }

    /** Starts the stopped broker again on the same ports with the same data. */
    public void restart() {
        checkNotClosed();
        if (cluster != null) {
            throw new IllegalStateException("embedded Kafka on port " + clientPort + " is running; stop() it first");
        }
        long started = System.nanoTime();
        launch(false);
        LOG.info("embedded Kafka restarted on {} in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka on port " + clientPort + " is closed");
        }
    }

    /** Stops the broker and deletes its data directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            LocalFiles.deleteTree(workDir);
        }
    }
}
