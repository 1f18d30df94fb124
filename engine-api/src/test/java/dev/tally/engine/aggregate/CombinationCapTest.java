package dev.tally.engine.aggregate;

import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CombinationCapTest {
    private static final long T = 1_700_000_040_000L;

    @Test
    void admit_firstCombinationsOfAWindowOnly_andKnownOnesAgain() {
        CombinationCap<String> cap = new CombinationCap<>(2);

        assertThat(cap.admit(WindowSize.ONE_MINUTE, T, "DE")).isTrue();
        assertThat(cap.admit(WindowSize.ONE_MINUTE, T, "FR")).isTrue();
        assertThat(cap.admit(WindowSize.ONE_MINUTE, T, "US")).isFalse();
        assertThat(cap.admit(WindowSize.ONE_MINUTE, T, "DE")).isTrue();
        assertThat(cap.admit(WindowSize.ONE_MINUTE, T + 60_000, "US")).as("another window").isTrue();
        assertThat(cap.admit(WindowSize.ONE_HOUR, T, "US")).as("another size").isTrue();
    }

    @Test
    void forgetBefore_dropsOldWindowsAndCountsChanges() {
        CombinationCap<String> cap = new CombinationCap<>(1);
        cap.admit(WindowSize.ONE_MINUTE, T, "DE");
        long changes = cap.changes();

        cap.forgetBefore(T + 1);

        assertThat(cap.changes()).isGreaterThan(changes);
        assertThat(cap.admit(WindowSize.ONE_MINUTE, T, "FR")).isTrue();
    }

    @Test
    void otherBucket_hasOneOtherValuePerDimension() {
        assertThat(CombinationCap.otherBucket(2)).containsExactly(WindowKey.OTHER_VALUE, WindowKey.OTHER_VALUE);
        assertThat(CombinationCap.isOtherBucket(CombinationCap.otherBucket(1))).isTrue();
        assertThat(CombinationCap.isOtherBucket(List.of())).isFalse();
    }
}
