package dev.tally.cloud;

import dev.tally.cloud.flink.FlinkSettings;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.BackendProvider;

import java.util.List;

/** Registers the {@code cloud} backend (Kafka, Redis, PostgreSQL, S3). */
public final class CloudBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cloud";
    }

    @Override
    public String artifact() {
        return "dev.tally:engine-cloud";
    }

    /** The keys of every cloud component; see {@code docs/cloud.md}. */
    @Override
    public List<String> settingKeys() {
        List<String> keys = new java.util.ArrayList<>(FlinkSettings.KEYS);
        keys.addAll(List.of("tally.data-dir", CloudBackend.NAMESPACE, CloudBackend.ROLE,
                "tally.kafka.bootstrap-servers", "tally.kafka.topics", "tally.kafka.topic-prefix",
                "tally.kafka.shared-topic", "tally.kafka.partitions", "tally.kafka.partitioning", "tally.kafka.replication-factor",
                "tally.kafka.topic-discovery-interval",
                "tally.kafka.producer.", "tally.kafka.consumer.", "tally.kafka.admin.", "tally.kafka.topic-config.",
                "tally.redis.uri", "tally.redis.timeout",
                "tally.postgres.url", "tally.postgres.user", "tally.postgres.password", "tally.postgres.pool-size",
                "tally.postgres.connection-timeout",
                "tally.s3.bucket", "tally.s3.endpoint", "tally.s3.region", "tally.s3.path-style",
                "tally.s3.access-key", "tally.s3.secret-key", "tally.s3.prefix", "tally.s3.create-bucket",
                "tally.s3.multipart-threshold", "tally.s3.part-size", "tally.s3.cold-storage-class", "tally.s3.read-ahead"));
        return List.copyOf(keys);
    }

    @Override
    public Backend open(BackendConfig config) {
        return new CloudBackend(config);
    }
}
