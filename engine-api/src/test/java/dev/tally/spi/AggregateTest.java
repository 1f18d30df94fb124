package dev.tally.spi;

import dev.tally.api.Aggregation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

class AggregateTest {

    private static Aggregate of(double... values) {
        Aggregate a = Aggregate.empty();
        for (double v : values) {
            a.addEvent();
            a.addValue(v);
        }
        return a;
    }

    private static Aggregate users(int from, int toExclusive) {
        Aggregate a = Aggregate.empty();
        for (int i = from; i < toExclusive; i++) {
            a.addEvent();
            a.addUser("user-" + i);
        }
        return a;
    }

    // ---- value() --------------------------------------------------------------------------------------

    @Test
    void empty_valuesPerAggregation() {
        Aggregate a = Aggregate.empty();

        assertThat(a.value(Aggregation.COUNT)).isEqualTo(0.0);
        assertThat(a.value(Aggregation.SUM)).isEqualTo(0.0);
        assertThat(a.value(Aggregation.AVG)).isNull();
        assertThat(a.value(Aggregation.MIN)).isNull();
        assertThat(a.value(Aggregation.MAX)).isNull();
        assertThat(a.value(Aggregation.UNIQUE)).isEqualTo(0.0);
        assertThat(a.distinctUsers()).isZero();
    }

    @Test
    void values_perAggregation() {
        Aggregate a = of(4, -2, 10);

        assertThat(a.value(Aggregation.COUNT)).isEqualTo(3.0);
        assertThat(a.value(Aggregation.SUM)).isEqualTo(12.0);
        assertThat(a.value(Aggregation.AVG)).isEqualTo(4.0);
        assertThat(a.value(Aggregation.MIN)).isEqualTo(-2.0);
        assertThat(a.value(Aggregation.MAX)).isEqualTo(10.0);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.valued()).isEqualTo(3);
    }

    @Test
    void eventsWithoutValues_countButDoNotEnterTheAverage() {
        Aggregate a = of(10, 20);
        a.addEvent();
        a.addEvent();

        assertThat(a.value(Aggregation.COUNT)).isEqualTo(4.0);
        assertThat(a.valued()).isEqualTo(2);
        assertThat(a.value(Aggregation.AVG)).isEqualTo(15.0);
    }

    @Test
    void countedEventsWithoutAnyValue_haveNoMinMaxOrAverage() {
        Aggregate a = Aggregate.empty();
        a.addEvent();

        assertThat(a.value(Aggregation.COUNT)).isEqualTo(1.0);
        assertThat(a.value(Aggregation.MIN)).isNull();
        assertThat(a.value(Aggregation.MAX)).isNull();
        assertThat(a.value(Aggregation.AVG)).isNull();
        assertThat(a.value(Aggregation.SUM)).isEqualTo(0.0);
    }

    @Test
    void singleValue_isItsOwnMinAndMax() {
        Aggregate a = of(-0.5);

        assertThat(a.value(Aggregation.MIN)).isEqualTo(-0.5);
        assertThat(a.value(Aggregation.MAX)).isEqualTo(-0.5);
    }

    @Test
    void unique_roundsTheEstimate() {
        Aggregate a = users(0, 3);
        a.addUser("user-0");

        assertThat(a.value(Aggregation.UNIQUE)).isEqualTo(3.0);
    }

    // ---- merge ----------------------------------------------------------------------------------------

    @Test
    void merge_addsCountsSumsAndDenominators() {
        Aggregate a = of(1, 2, 3);
        Aggregate b = of(10);
        b.addEvent();

        a.merge(b);

        assertThat(a.count()).isEqualTo(5);
        assertThat(a.valued()).isEqualTo(4);
        assertThat(a.sum()).isEqualTo(16.0);
        assertThat(a.min()).isEqualTo(1.0);
        assertThat(a.max()).isEqualTo(10.0);
        assertThat(a.value(Aggregation.AVG)).as("16 / 4 valued, not / 5 events").isEqualTo(4.0);
    }

    @Test
    void merge_averageIsWeightedByValuedEvents() {
        Aggregate a = of(1, 1, 1, 1);
        Aggregate b = of(6);

        a.merge(b);

        assertThat(a.value(Aggregation.AVG)).isEqualTo(2.0);
    }

    @Test
    void merge_withEmptyIsIdentityBothWays() {
        Aggregate a = of(3, 7);
        a.merge(Aggregate.empty());

        Aggregate e = Aggregate.empty();
        e.merge(of(3, 7));

        for (Aggregate x : new Aggregate[] {a, e}) {
            assertThat(x.count()).isEqualTo(2);
            assertThat(x.value(Aggregation.MIN)).isEqualTo(3.0);
            assertThat(x.value(Aggregation.MAX)).isEqualTo(7.0);
            assertThat(x.value(Aggregation.AVG)).isEqualTo(5.0);
        }
    }

    @Test
    void merge_ofEmptiesStaysUndefined() {
        Aggregate a = Aggregate.empty();
        a.merge(Aggregate.empty());

        assertThat(a.value(Aggregation.MIN)).isNull();
        assertThat(a.value(Aggregation.MAX)).isNull();
        assertThat(a.value(Aggregation.AVG)).isNull();
    }

    @Test
    void merge_minAndMaxFromEitherSide() {
        Aggregate a = of(5, 6);
        a.merge(of(-1, 100));

        assertThat(a.value(Aggregation.MIN)).isEqualTo(-1.0);
        assertThat(a.value(Aggregation.MAX)).isEqualTo(100.0);
    }

    @Test
    void merge_isOrderIndependent() {
        Aggregate ab = of(1, 2);
        ab.merge(of(3));
        ab.merge(users(0, 5));
        Aggregate ba = users(0, 5);
        ba.merge(of(3));
        ba.merge(of(1, 2));

        for (Aggregation agg : Aggregation.values()) {
            assertThat(ba.value(agg)).as(agg.name()).isEqualTo(ab.value(agg));
        }
    }

    @Test
    void merge_doesNotAliasTheOtherSketch() {
        Aggregate a = Aggregate.empty();
        Aggregate b = users(0, 10);
        a.merge(b);

        b.addUser("someone-else");

        assertThat(a.value(Aggregation.UNIQUE)).isEqualTo(10.0);
        assertThat(b.value(Aggregation.UNIQUE)).isEqualTo(11.0);
    }

    @Test
    void merge_overlappingUserSetsCountsEachUserOnce() {
        Aggregate a = users(0, 6_000);
        Aggregate b = users(4_000, 10_000);

        a.merge(b);

        assertThat(a.count()).isEqualTo(12_000);
        assertThat(a.distinctUsers()).isCloseTo(10_000, withinPercentage(2));
        assertThat(a.value(Aggregation.UNIQUE)).isCloseTo(10_000, withinPercentage(2));
    }

    @Test
    void merge_ofManyWindowsOfTheSameUsersStaysNearTheTruth() {
        Aggregate total = Aggregate.empty();
        for (int window = 0; window < 24; window++) {
            total.merge(users(window * 250, window * 250 + 2_000));
        }

        // users 0 .. 23*250+2000 = 7,750 distinct
        assertThat(total.distinctUsers()).isCloseTo(7_750, withinPercentage(2));
    }

    @Test
    void merge_survivesTheByteFormOfEachSide() {
        Aggregate a = Aggregate.fromBytes(users(0, 6_000).toBytes());
        a.merge(Aggregate.fromBytes(users(4_000, 10_000).toBytes()));

        assertThat(a.distinctUsers()).isCloseTo(10_000, withinPercentage(2));
    }

    // ---- copy and bytes -------------------------------------------------------------------------------

    @Test
    void copy_isIndependent() {
        Aggregate a = of(1, 2);
        a.addUser("u1");
        Aggregate c = a.copy();

        a.addEvent();
        a.addValue(100);
        a.addUser("u2");

        assertThat(c.count()).isEqualTo(2);
        assertThat(c.value(Aggregation.MAX)).isEqualTo(2.0);
        assertThat(c.value(Aggregation.UNIQUE)).isEqualTo(1.0);
    }

    @Test
    void bytes_roundTripWithoutSketch() {
        Aggregate a = of(1.25, -3.5, 1e12);
        a.addEvent();

        Aggregate back = Aggregate.fromBytes(a.toBytes());

        assertThat(back.count()).isEqualTo(4);
        assertThat(back.valued()).isEqualTo(3);
        assertThat(back.sum()).isEqualTo(a.sum());
        assertThat(back.min()).isEqualTo(-3.5);
        assertThat(back.max()).isEqualTo(1e12);
        assertThat(back.distinctUsers()).isZero();
        assertThat(back.toBytes()).isEqualTo(a.toBytes());
    }

    @Test
    void bytes_roundTripOfEmptyKeepsUndefinedValues() {
        Aggregate back = Aggregate.fromBytes(Aggregate.empty().toBytes());

        assertThat(back.count()).isZero();
        assertThat(back.value(Aggregation.MIN)).isNull();
        assertThat(back.value(Aggregation.MAX)).isNull();
        assertThat(back.value(Aggregation.AVG)).isNull();
        assertThat(back.min()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(back.max()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void bytes_roundTripWithSketch() {
        Aggregate a = users(0, 10_000);
        a.addValue(5);

        Aggregate back = Aggregate.fromBytes(a.toBytes());

        assertThat(back.count()).isEqualTo(10_000);
        assertThat(back.valued()).isEqualTo(1);
        assertThat(back.distinctUsers()).isEqualTo(a.distinctUsers());
        assertThat(back.distinctUsers()).isCloseTo(10_000, withinPercentage(2));
        assertThat(back.toString()).isEqualTo(a.toString());
    }

    @Test
    void bytes_sketchStillAcceptsUsersAfterTheRoundTrip() {
        Aggregate back = Aggregate.fromBytes(users(0, 100).toBytes());

        back.addUser("user-0");
        back.addUser("new-user");

        assertThat(back.distinctUsers()).isCloseTo(101, within(2.0));
    }

    @Test
    void bytes_unknownFormatIsRefused() {
        byte[] bytes = of(1).toBytes();
        bytes[0] = 7;

        assertThatThrownBy(() -> Aggregate.fromBytes(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7");
    }
}
