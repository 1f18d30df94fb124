package dev.tally.http.cli;

import dev.tally.api.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigSettingsTest {
    @TempDir
    Path dir;

    @Test
    void yaml_nestedAndFlatKeysBecomeTallyKeys() throws IOException {
        Path file = write("tally.yaml", """
                tally:
                  profile: cloud
                  kafka:
                    bootstrap-servers: [broker-1:9092, broker-2:9092]
                    partitions: 12
                  redis.uri: redis://cache:6379
                tally.s3.bucket: events
                """);

        Map<String, String> settings = ConfigFile.load(file);

        assertThat(settings).containsEntry("tally.profile", "cloud")
                .containsEntry("tally.kafka.bootstrap-servers", "broker-1:9092,broker-2:9092")
                .containsEntry("tally.kafka.partitions", "12")
                .containsEntry("tally.redis.uri", "redis://cache:6379")
                .containsEntry("tally.s3.bucket", "events");
    }

    @Test
    void yaml_syntaxErrorNamesTheFileAndLine() throws IOException {
        Path file = write("bad.yaml", "tally:\n  kafka: [unclosed\n");

        assertThatThrownBy(() -> ConfigFile.load(file)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bad.yaml").hasMessageContaining("not valid YAML").hasMessageContaining("line");
    }

    @Test
    void environment_mapsKnownKeysAndPassThroughPrefixes() {
        Map<String, String> env = Map.of(
                "TALLY_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "TALLY_KAFKA_PRODUCER_LINGER_MS", "5",
                "TALLY_URL", "http://elsewhere",
                "PATH", "/bin");

        Map<String, String> settings = ConfigFile.environment(env,
                List.of("tally.kafka.bootstrap-servers", "tally.kafka.producer."));

        assertThat(settings).containsExactlyInAnyOrderEntriesOf(Map.of(
                "tally.kafka.bootstrap-servers", "b:9092",
                "tally.kafka.producer.linger.ms", "5"));
    }

    @Test
    void unknownKey_isRefusedWithTheNearestKnownOne() throws IOException {
        Path file = write("tally.yaml", "tally:\n  kafka:\n    bootstrap-server: b:9092\n");
        EngineOptions options = options(file, "cloud");

        assertThatThrownBy(() -> options.settings(false)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'tally.kafka.bootstrap-server'")
                .hasMessageContaining("did you mean 'tally.kafka.bootstrap-servers'");
    }

    @Test
    void layering_environmentOverridesTheFileAndProfileComesFromSettings() throws IOException {
        Path file = write("tally.yaml", """
                tally:
                  profile: cloud
                  kafka.bootstrap-servers: from-file:9092
                  redis.uri: redis://from-file:6379
                """);
        EngineOptions options = options(file, null);
        options.environment = Map.of("TALLY_KAFKA_BOOTSTRAP_SERVERS", "from-env:9092");

        Map<String, String> settings = options.settings(false);

        assertThat(options.profile()).isEqualTo("cloud");
        assertThat(settings).containsEntry("tally.kafka.bootstrap-servers", "from-env:9092")
                .containsEntry("tally.redis.uri", "redis://from-file:6379")
                .doesNotContainKey("tally.profile");
    }

    @Test
    void localProfile_doesNotKnowCloudKeys() throws IOException {
        Path file = write("tally.properties", "tally.kafka.bootstrap-servers=b:9092\n");

        assertThatThrownBy(() -> options(file, "local").settings(false)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'tally.kafka.bootstrap-servers'");
    }

    private EngineOptions options(Path config, String profile) {
        EngineOptions options = new EngineOptions();
        options.config = config;
        options.profile = profile;
        options.dataDir = dir.resolve("data");
        options.environment = Map.of();
        return options;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
