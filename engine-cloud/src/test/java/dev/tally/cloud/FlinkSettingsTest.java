package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.cloud.flink.FlinkSettings;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkSettingsTest {

    private static FlinkSettings read(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return FlinkSettings.from(BackendConfig.of(settings, InstantSource.system()));
    }

    @Test
    void defaults_noFlink() {
        FlinkSettings s = read();

        assertThat(s.mode()).isEqualTo(FlinkSettings.Mode.NONE);
        assertThat(s.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.checkpointDir()).isEmpty();
    }

    @Test
    void remote_readsJobManagerJarAndPassThroughConfig(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("job.jar"), "x");
        FlinkSettings s = read("tally.flink.mode", "remote", "tally.flink.jobmanager", "flink-jm:8081",
                "tally.flink.job-jar", jar.toString(), "tally.flink.parallelism", "4",
                "tally.flink.config.taskmanager.numberOfTaskSlots", "4", "tally.flink.checkpoint-dir", "s3://b/cp");

        assertThat(s.mode()).isEqualTo(FlinkSettings.Mode.REMOTE);
        assertThat(s.jobManagerHost()).isEqualTo("flink-jm");
        assertThat(s.jobManagerPort()).isEqualTo(8081);
        assertThat(s.jobJar()).contains(jar);
        assertThat(s.parallelism()).isEqualTo(4);
        assertThat(s.flinkConfig()).containsEntry("taskmanager.numberOfTaskSlots", "4");
        assertThat(s.checkpointDir()).contains("s3://b/cp");
    }

    @Test
    void wrongValues_failNamingTheKey() {
        assertThatThrownBy(() -> read("tally.flink.mode", "cluster")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'tally.flink.mode'").hasMessageContaining("embedded, remote or none");
        assertThatThrownBy(() -> read("tally.flink.mode", "remote")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'tally.flink.jobmanager' is required");
        assertThatThrownBy(() -> read("tally.flink.mode", "remote", "tally.flink.jobmanager", "jm"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'tally.flink.jobmanager' must be host:port");
        assertThatThrownBy(() -> read("tally.flink.parallelism", "0")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'tally.flink.parallelism'");
        assertThatThrownBy(() -> read("tally.flink.job-jar", "/no/such.jar")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'tally.flink.job-jar'");
        assertThatThrownBy(() -> read("tally.flink.mode", "embedded", "tally.aggregator.runtime", "in-process"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'tally.aggregator.runtime'")
                .hasMessageContaining("'tally.flink.mode'");
    }

    @Test
    void provider_declaresTheFlinkKeys() {
        assertThat(new CloudBackendProvider().settingKeys()).contains("tally.flink.mode", "tally.flink.parallelism",
                "tally.flink.checkpoint-dir", "tally.flink.restore-from", "tally.flink.jobmanager", "tally.flink.job-jar",
                "tally.flink.config.", "tally.flink.checkpoint-interval");
    }
}
