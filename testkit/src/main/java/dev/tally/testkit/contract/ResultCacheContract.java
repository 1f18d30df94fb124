package dev.tally.testkit.contract;

import dev.tally.spi.ResultCache;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of {@link ResultCache}: query results by key, each with a time to live.
 *
 * <p>What it pins down: a value put with a generous TTL is returned for its key, byte for byte; a later put
 * replaces it; keys never collide, including keys that are prefixes of one another or differ only in case; a
 * key never put is absent.
 *
 * <p>What it leaves out: expiry. Caches such as Caffeine measure TTLs on the JVM's monotonic clock, not on the
 * backend's {@link dev.tally.testkit.TestClock}, so a TTL cannot be crossed deterministically without sleeping.
 * Eviction is also allowed at any time ("losing entries is always safe"), so the suite only puts a handful of
 * small values with an hour to live and expects them back.
 */
public abstract class ResultCacheContract extends BackendContract {
    private static final Duration TTL = Duration.ofHours(1);

    private ResultCache cache() {
        return backend.cache();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Nested
    @DisplayName("get and put")
    class GetAndPut {
        @Test
        void aPutValueIsReturnedForItsKey() {
            cache().put("q:p1:1:revenue", bytes("{\"points\":[]}"), TTL);
            assertThat(cache().get("q:p1:1:revenue")).hasValueSatisfying(
                    v -> assertThat(v).isEqualTo(bytes("{\"points\":[]}")));
        }

        @Test
        void aKeyNeverPutIsAbsent() {
            assertThat(cache().get("q:p1:1:revenue")).isEmpty();
        }

        @Test
        void aLaterPutReplacesTheValue() {
            cache().put("k", bytes("first"), TTL);
            cache().put("k", bytes("second"), TTL);
            assertThat(cache().get("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("second")));
        }

        @Test
        void anEmptyValueIsAValue() {
            cache().put("k", new byte[0], TTL);
            assertThat(cache().get("k")).hasValueSatisfying(v -> assertThat(v).isEmpty());
        }

        @Test
        void binaryValuesComeBackUnchanged() {
            byte[] value = new byte[4096];
            for (int i = 0; i < value.length; i++) {
                value[i] = (byte) (i * 13);
            }
            cache().put("binary", value, TTL);
            assertThat(cache().get("binary")).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
        }
    }

    @Nested
    @DisplayName("keys")
    class Keys {
        @Test
        void differentKeysDoNotCollide() {
            cache().put("q:p1:1:revenue", bytes("a"), TTL);
            cache().put("q:p1:1:revenue:country", bytes("b"), TTL);
            cache().put("q:p1:2:revenue", bytes("c"), TTL);
            cache().put("q:p2:1:revenue", bytes("d"), TTL);
            cache().put("Q:P1:1:REVENUE", bytes("e"), TTL);
            assertThat(cache().get("q:p1:1:revenue")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("a")));
            assertThat(cache().get("q:p1:1:revenue:country")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("b")));
            assertThat(cache().get("q:p1:2:revenue")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("c")));
            assertThat(cache().get("q:p2:1:revenue")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("d")));
            assertThat(cache().get("Q:P1:1:REVENUE")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("e")));
            assertThat(cache().get("q:p1:1")).isEmpty();
        }

        @Test
        void replacingOneKeyLeavesTheOthers() {
            cache().put("a", bytes("1"), TTL);
            cache().put("b", bytes("2"), TTL);
            cache().put("a", bytes("3"), TTL);
            assertThat(cache().get("b")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("2")));
        }

        @Test
        void keysWithUnicodeAndSeparatorsAreOrdinaryKeys() {
            String key = "q:p1:7:revenue:{\"country\":\"Côte d'Ivoire\"}:2024-01-15T00:00Z/2024-01-16T00:00Z";
            cache().put(key, bytes("x"), TTL);
            assertThat(cache().get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("x")));
        }
    }
}
