package dev.tally.http;

import dev.tally.api.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void spendsUpToCapacity_thenSaysHowLongToWait() {
        TokenBucket bucket = new TokenBucket(10, 10, 0);
        assertThat(bucket.tryAcquire(10, 0)).isZero();
        assertThat(bucket.tryAcquire(1, 0)).isEqualTo(SECOND / 10);
        assertThat(bucket.tryAcquire(1, SECOND / 10)).isZero();
    }

    @Test
    void refillStopsAtCapacity_andOversizedRequestsNeverFit() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        assertThat(bucket.tryAcquire(5, 100 * SECOND)).isZero();
        assertThat(bucket.tryAcquire(1, 100 * SECOND)).isPositive();
        assertThat(bucket.tryAcquire(6, 200 * SECOND)).isEqualTo(TokenBucket.NEVER);
    }

    @Test
    void clockGoingBackwards_refillsNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.tryAcquire(1, 10 * SECOND)).isZero();
        assertThat(bucket.tryAcquire(1, 5 * SECOND)).isPositive();
    }

    @Test
    void settings_defaultsAndOverrides() {
        ServerSettings defaults = ServerSettings.defaults();
        assertThat(defaults.maxBodyBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(defaults.eventsPerSecond("any")).isEqualTo(1_000_000);
        assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.adminKey()).isEmpty();

        ServerSettings custom = ServerSettings.of(Map.of("tally.http.rate-limit.events-per-second", "10",
                "tally.http.rate-limit.project.big.events-per-second", "1_000", "tally.http.request-timeout", "500ms"));
        assertThat(custom.eventsPerSecond("small")).isEqualTo(10);
        assertThat(custom.eventsPerSecond("big")).isEqualTo(1000);
        assertThat(custom.requestTimeout()).isEqualTo(Duration.ofMillis(500));

        ServerSettings layered = ServerSettings.layered(k -> null,
                env -> env.equals("TALLY_ADMIN_KEY") ? "from-env" : null, ServerSettings.of(Map.of("tally.admin-key", "file")));
        assertThat(layered.adminKey()).hasValue("from-env");

        assertThatThrownBy(() -> ServerSettings.of(Map.of("tally.http.queue-capacity", "-1")).validate())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.http.queue-capacity");
        assertThatThrownBy(() -> ServerSettings.of(Map.of("tally.http.rate-limit.requests-per-second", "fast")).validate())
                .isInstanceOf(ConfigurationException.class);
    }
}
