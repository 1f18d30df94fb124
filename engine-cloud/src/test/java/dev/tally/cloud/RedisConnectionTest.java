package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.InstantSource;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How opening the Redis connection fails: at once, naming the setting or the endpoint, never the password. */
class RedisConnectionTest {

    private static RedisConnection open(Map<String, String> settings) {
        return RedisConnection.open(BackendConfig.of(settings, InstantSource.system()), "ns");
    }

    @Test
    void aMissingUriNamesTheSetting() {
        assertThatThrownBy(() -> open(Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.redis.uri");
    }

    @Test
    void aUriThatIsNotRedisNamesTheSettingWithoutEchoingItsValue() {
        assertThatThrownBy(() -> open(Map.of("tally.redis.uri", "http://admin:s3cret@cache.internal:6379")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.redis.uri")
                .hasMessageContaining("redis://")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aMalformedTimeoutNamesTheSetting() {
        assertThatThrownBy(() -> open(Map.of("tally.redis.uri", "redis://127.0.0.1:6379", "tally.redis.timeout", "soon")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.redis.timeout");
        assertThatThrownBy(() -> open(Map.of("tally.redis.uri", "redis://127.0.0.1:6379", "tally.redis.timeout", "0s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.redis.timeout");
    }

    @Test
    void anUnreachableRedisFailsAtOnceNamingTheEndpointButNotThePassword() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        long started = System.nanoTime();
        assertThatThrownBy(() -> open(Map.of("tally.redis.uri", "redis://:s3cret@127.0.0.1:" + closedPort,
                "tally.redis.timeout", "2s")))
                .isInstanceOf(CloudStorageException.class)
                .hasMessageContaining("redis://127.0.0.1:" + closedPort)
                .hasMessageContaining("tally.redis.uri")
                .hasMessageNotContaining("s3cret");
        assertThat(System.nanoTime() - started).as("fails fast, not after retries").isLessThan(5_000_000_000L);
    }
}
