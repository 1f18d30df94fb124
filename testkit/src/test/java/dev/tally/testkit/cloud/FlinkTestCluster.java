package dev.tally.testkit.cloud;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink MiniCluster shared by the tests of one class, reached through its REST endpoint as a remote cluster
 * would be ({@code tally.flink.mode=remote}); its task managers can be terminated and added, as a failure test needs.
 */
final class FlinkTestCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI rest;

    private FlinkTestCluster(MiniCluster cluster, URI rest) {
        this.cluster = cluster;
        this.rest = rest;
    }

    static FlinkTestCluster start(int taskManagers, int slotsEach) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        // This JVM's class path has the Kafka client too (the engines' own); a real cluster has none, and a job jar's
        // copy would clash with it in the connector's signatures. Everything else a jar brings is loaded from the jar.
        conf.setString("classloader.parent-first-patterns.additional", "org.apache.kafka.");
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(taskManagers).setNumSlotsPerTaskManager(slotsEach).withRandomPorts().build());
        cluster.start();
        return new FlinkTestCluster(cluster, cluster.getRestAddress().get(30, TimeUnit.SECONDS));
    }

    MiniCluster cluster() {
        return cluster;
    }

    String host() {
        return rest.getHost();
    }

    int port() {
        return rest.getPort();
    }

    /** The settings that make a cloud engine's leader run the job here, at parallelism 2, checkpointing every 200 ms. */
    Map<String, String> remoteMode() {
        Map<String, String> s = new HashMap<>();
        s.put("tally.flink.mode", "remote");
        s.put("tally.flink.jobmanager", host() + ":" + port());
        s.put("tally.flink.parallelism", "2");
        s.put("tally.flink.checkpoint-interval", "200ms");
        return s;
    }

    @Override
    public void close() throws Exception {
        cluster.closeAsync().get(60, TimeUnit.SECONDS);
    }
}
