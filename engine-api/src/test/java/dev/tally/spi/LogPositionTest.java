package dev.tally.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogPositionTest {

    @Test
    void none_hasNoPartitionsAndConsumedNothing() {
        assertThat(LogPosition.NONE.partitions()).isZero();
        assertThat(LogPosition.NONE.lastOffset(0)).isEqualTo(-1);
        assertThat(LogPosition.NONE.encode()).isEmpty();
    }

    @Test
    void lastOffset_ofUnknownPartitionIsMinusOne() {
        LogPosition p = LogPosition.of(5, 7);

        assertThat(p.partitions()).isEqualTo(2);
        assertThat(p.lastOffset(0)).isEqualTo(5);
        assertThat(p.lastOffset(1)).isEqualTo(7);
        assertThat(p.lastOffset(2)).isEqualTo(-1);
    }

    @Test
    void of_copiesItsArgument() {
        long[] offsets = {1, 2};
        LogPosition p = LogPosition.of(offsets);

        offsets[0] = 99;

        assertThat(p.lastOffset(0)).isEqualTo(1);
    }

    @Test
    void with_replacesOnePartitionAndLeavesTheOriginal() {
        LogPosition p = LogPosition.of(5, 7);

        LogPosition q = p.with(1, 9);

        assertThat(q).isEqualTo(LogPosition.of(5, 9));
        assertThat(p).isEqualTo(LogPosition.of(5, 7));
    }

    @Test
    void with_growsAndFillsGapsWithMinusOne() {
        LogPosition p = LogPosition.of(5).with(3, 11);

        assertThat(p).isEqualTo(LogPosition.of(5, -1, -1, 11));
        assertThat(LogPosition.NONE.with(0, 0)).isEqualTo(LogPosition.of(0));
    }

    @Test
    void covers_everyPartitionAtOrBeyond() {
        LogPosition p = LogPosition.of(10, 20);

        assertThat(p.covers(LogPosition.of(10, 20))).isTrue();
        assertThat(p.covers(LogPosition.of(9, 20))).isTrue();
        assertThat(p.covers(LogPosition.of(10))).isTrue();
        assertThat(p.covers(LogPosition.NONE)).isTrue();
        assertThat(p.covers(LogPosition.of(11, 20))).isFalse();
        assertThat(p.covers(LogPosition.of(10, 21))).isFalse();
    }

    @Test
    void covers_partitionsItHasNotSeenOnlyWhenNothingWasConsumedThere() {
        LogPosition p = LogPosition.of(10);

        assertThat(p.covers(LogPosition.of(10, -1))).isTrue();
        assertThat(p.covers(LogPosition.of(10, 0))).isFalse();
        assertThat(LogPosition.NONE.covers(LogPosition.of(-1, -1))).isTrue();
        assertThat(LogPosition.NONE.covers(LogPosition.of(0))).isFalse();
    }

    @Test
    void encode_isCommaSeparated() {
        assertThat(LogPosition.of(12, -1, 40).encode()).isEqualTo("12,-1,40");
        assertThat(LogPosition.of(Long.MAX_VALUE).encode()).isEqualTo(String.valueOf(Long.MAX_VALUE));
        assertThat(LogPosition.of(12, -1, 40)).hasToString("LogPosition[12,-1,40]");
    }

    @Test
    void parse_isTheInverseOfEncode() {
        for (LogPosition p : new LogPosition[] {LogPosition.NONE, LogPosition.of(0), LogPosition.of(12, -1, 40),
                LogPosition.of(-1), LogPosition.of(Long.MAX_VALUE, Long.MIN_VALUE)}) {
            LogPosition back = LogPosition.parse(p.encode());
            assertThat(back).isEqualTo(p);
            assertThat(back.hashCode()).isEqualTo(p.hashCode());
        }
    }

    @Test
    void parse_nullOrEmptyIsNone() {
        assertThat(LogPosition.parse(null)).isSameAs(LogPosition.NONE);
        assertThat(LogPosition.parse("")).isSameAs(LogPosition.NONE);
    }

    @Test
    void parse_garbageIsRefused() {
        assertThatThrownBy(() -> LogPosition.parse("1,x")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void equality_isByOffsets() {
        assertThat(LogPosition.of(1, 2)).isEqualTo(LogPosition.of(1, 2)).hasSameHashCodeAs(LogPosition.of(1, 2));
        assertThat(LogPosition.of(1, 2)).isNotEqualTo(LogPosition.of(2, 1));
        assertThat(LogPosition.of(1)).isNotEqualTo(LogPosition.of(1, -1));
        assertThat(LogPosition.of()).isEqualTo(LogPosition.NONE);
    }

    @Test
    void namedPartitions_encodeAsPairsAndParseBack() {
        LogPosition p = LogPosition.NONE.with("events.b/0", 3).with("events.a/1", 12);

        assertThat(p.encode()).isEqualTo("events.a/1=12,events.b/0=3");
        assertThat(LogPosition.parse(p.encode())).isEqualTo(p);
        assertThat(p.lastOffset("events.a/1")).isEqualTo(12);
        assertThat(p.lastOffset("events.c/0")).isEqualTo(-1);
        assertThat(p.partitionNames()).containsExactly("events.a/1", "events.b/0");
    }

    @Test
    void namedPartitions_coverAndMinByName() {
        LogPosition a = LogPosition.NONE.with("t/0", 5).with("t/1", 7);
        LogPosition b = LogPosition.NONE.with("t/1", 9).with("u/0", 1);

        assertThat(a.covers(b)).isFalse();
        assertThat(a.with("t/1", 9).with("u/0", 1).covers(b)).isTrue();
        assertThat(a.min(b)).isEqualTo(LogPosition.NONE.with("t/0", -1).with("t/1", 7).with("u/0", -1));
    }

    @Test
    void numberedPartitions_sortNumericallyPastNine() {
        long[] offsets = new long[12];
        offsets[10] = 4;
        LogPosition p = LogPosition.of(offsets);

        assertThat(p.encode()).isEqualTo("0,0,0,0,0,0,0,0,0,0,4,0");
        assertThat(p.lastOffset(10)).isEqualTo(4);
        assertThat(LogPosition.parse(p.encode())).isEqualTo(p);
    }

    @Test
    void partitionNames_withSeparatorsAreRefused() {
        assertThatThrownBy(() -> LogPosition.NONE.with("a,b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogPosition.NONE.with("a=b", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
