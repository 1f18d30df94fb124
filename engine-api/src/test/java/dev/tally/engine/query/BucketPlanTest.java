package dev.tally.engine.query;

import dev.tally.api.Granularity;
import dev.tally.api.InvalidQueryException;
import dev.tally.spi.WindowSize;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BucketPlanTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    private static long ms(String iso) {
        return t(iso).toEpochMilli();
    }

    private static long[] ms(String... isos) {
        return Arrays.stream(isos).mapToLong(BucketPlanTest::ms).toArray();
    }

    private static long[] lengthsInHours(BucketPlan plan) {
        long[] out = new long[plan.buckets()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Duration.ofMillis(plan.boundaries[i + 1] - plan.boundaries[i]).toHours();
        }
        return out;
    }

    // ---- boundaries per granularity -------------------------------------------------------------------

    @Test
    void minute_bucketsEveryMinute() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T10:03:00Z"), Granularity.MINUTE, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:00:00Z", "2024-01-15T10:01:00Z",
                "2024-01-15T10:02:00Z", "2024-01-15T10:03:00Z"));
        assertThat(plan.buckets()).isEqualTo(3);
        assertThat(plan.source).isEqualTo(WindowSize.ONE_MINUTE);
    }

    @Test
    void fiveMinutes_bucketsOnFiveMinuteMarks() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T10:15:00Z"),
                Granularity.FIVE_MINUTES, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:00:00Z", "2024-01-15T10:05:00Z",
                "2024-01-15T10:10:00Z", "2024-01-15T10:15:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void hour_bucketsOnTheHourInUtc() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T13:00:00Z"), Granularity.HOUR, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:00:00Z", "2024-01-15T11:00:00Z",
                "2024-01-15T12:00:00Z", "2024-01-15T13:00:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.ONE_HOUR);
    }

    @Test
    void day_bucketsAtUtcMidnightUseHourWindows() {
        BucketPlan plan = BucketPlan.of(t("2024-01-01T00:00:00Z"), t("2024-01-04T00:00:00Z"), Granularity.DAY, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z",
                "2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.ONE_HOUR);
    }

    @Test
    void all_isOneBucketForTheWholeRange() {
        BucketPlan plan = BucketPlan.of(t("2024-01-01T00:00:00Z"), t("2024-03-01T00:00:00Z"), Granularity.ALL, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"));
        assertThat(plan.buckets()).isEqualTo(1);
        assertThat(plan.source).isEqualTo(WindowSize.ONE_HOUR);
    }

    @Test
    void all_choosesTheLargestWindowThatTilesTheRange() {
        assertThat(BucketPlan.of(t("2024-01-01T00:05:00Z"), t("2024-01-01T03:00:00Z"), Granularity.ALL, UTC).source)
                .isEqualTo(WindowSize.FIVE_MINUTES);
        assertThat(BucketPlan.of(t("2024-01-01T00:00:00Z"), t("2024-01-01T03:07:00Z"), Granularity.ALL, UTC).source)
                .isEqualTo(WindowSize.ONE_MINUTE);
    }

    @Test
    void partialFirstAndLastBucketsAreClippedToTheRange() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:20:00Z"), t("2024-01-15T12:40:00Z"), Granularity.HOUR, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:20:00Z", "2024-01-15T11:00:00Z",
                "2024-01-15T12:00:00Z", "2024-01-15T12:40:00Z"));
        assertThat(plan.source).as("the clipped edges need 5m windows").isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void rangeShorterThanOneBucketIsOneBucket() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T10:05:00Z"), Granularity.DAY, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:00:00Z", "2024-01-15T10:05:00Z"));
    }

    // ---- time zones -----------------------------------------------------------------------------------

    @Test
    void day_berlinAcrossSpringForwardHasA23HourDay() {
        BucketPlan plan = BucketPlan.of(t("2024-03-29T23:00:00Z"), t("2024-04-01T22:00:00Z"), Granularity.DAY, BERLIN);

        // local midnights: 30 Mar (+01:00), 31 Mar (+01:00), 1 Apr (+02:00), 2 Apr (+02:00)
        assertThat(plan.boundaries).containsExactly(ms("2024-03-29T23:00:00Z", "2024-03-30T23:00:00Z",
                "2024-03-31T22:00:00Z", "2024-04-01T22:00:00Z"));
        assertThat(lengthsInHours(plan)).containsExactly(24, 23, 24);
        assertThat(plan.source).isEqualTo(WindowSize.ONE_HOUR);
    }

    @Test
    void day_berlinAcrossFallBackHasA25HourDay() {
        BucketPlan plan = BucketPlan.of(t("2024-10-26T22:00:00Z"), t("2024-10-28T23:00:00Z"), Granularity.DAY, BERLIN);

        assertThat(plan.boundaries).containsExactly(ms("2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z",
                "2024-10-28T23:00:00Z"));
        assertThat(lengthsInHours(plan)).containsExactly(25, 24);
    }

    @Test
    void hour_berlinAcrossSpringForwardSkipsNoInstant() {
        BucketPlan plan = BucketPlan.of(t("2024-03-31T00:00:00Z"), t("2024-03-31T03:00:00Z"), Granularity.HOUR, BERLIN);

        assertThat(plan.boundaries).containsExactly(ms("2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z",
                "2024-03-31T02:00:00Z", "2024-03-31T03:00:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.ONE_HOUR);
    }

    @Test
    void day_afterAMidnightDstGapStartsAtMidnightAgain() {
        // America/Santiago springs forward at local midnight: 2024-09-08 00:00 (-04:00) does not exist, the day
        // starts at 01:00 (-03:00). The days after it start at 00:00 again.
        ZoneId santiago = ZoneId.of("America/Santiago");
        BucketPlan plan = BucketPlan.of(t("2024-09-07T04:00:00Z"), t("2024-09-11T03:00:00Z"), Granularity.DAY,
                santiago);

        assertThat(plan.boundaries).containsExactly(ms("2024-09-07T04:00:00Z", "2024-09-08T04:00:00Z",
                "2024-09-09T03:00:00Z", "2024-09-10T03:00:00Z", "2024-09-11T03:00:00Z"));
        assertThat(lengthsInHours(plan)).containsExactly(24, 23, 24, 24);
    }

    @Test
    void day_kolkataStartsAtLocalMidnightWithFiveMinuteWindows() {
        BucketPlan plan = BucketPlan.of(t("2024-01-14T18:30:00Z"), t("2024-01-16T18:30:00Z"), Granularity.DAY, KOLKATA);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-14T18:30:00Z", "2024-01-15T18:30:00Z",
                "2024-01-16T18:30:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void hour_kolkataFallsOnTheHalfHourWithFiveMinuteWindows() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T04:30:00Z"), t("2024-01-15T06:30:00Z"), Granularity.HOUR, KOLKATA);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T04:30:00Z", "2024-01-15T05:30:00Z",
                "2024-01-15T06:30:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void day_kathmanduStartsAtLocalMidnightWithFiveMinuteWindows() {
        BucketPlan plan = BucketPlan.of(t("2024-01-14T18:15:00Z"), t("2024-01-16T18:15:00Z"), Granularity.DAY,
                KATHMANDU);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-14T18:15:00Z", "2024-01-15T18:15:00Z",
                "2024-01-16T18:15:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void day_utcRangeQueriedInKolkataIsClippedAtLocalMidnight() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T00:00:00Z"), t("2024-01-16T00:00:00Z"), Granularity.DAY, KOLKATA);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T00:00:00Z", "2024-01-15T18:30:00Z",
                "2024-01-16T00:00:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.FIVE_MINUTES);
    }

    @Test
    void fiveMinutes_inKathmanduStayOnUtcFiveMinuteMarks() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:02:00Z"), t("2024-01-15T10:12:00Z"),
                Granularity.FIVE_MINUTES, KATHMANDU);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:02:00Z", "2024-01-15T10:05:00Z",
                "2024-01-15T10:10:00Z", "2024-01-15T10:12:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.ONE_MINUTE);
    }

    // ---- alignment ------------------------------------------------------------------------------------

    @Test
    void unalignedStart_picksOneMinuteWindows() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:03:00Z"), t("2024-01-15T12:00:00Z"), Granularity.HOUR, UTC);

        assertThat(plan.boundaries).containsExactly(ms("2024-01-15T10:03:00Z", "2024-01-15T11:00:00Z",
                "2024-01-15T12:00:00Z"));
        assertThat(plan.source).isEqualTo(WindowSize.ONE_MINUTE);
    }

    @Test
    void secondsUnalignedStart_isInvalid() {
        InvalidQueryException e = catchThrowableOfType(InvalidQueryException.class,
                () -> BucketPlan.of(t("2024-01-15T10:00:30Z"), t("2024-01-15T12:00:00Z"), Granularity.HOUR, UTC));

        assertThat(e).isNotNull();
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("startTime");
            assertThat(v.code()).isEqualTo("invalid_query");
        });
    }

    @Test
    void secondsUnalignedEnd_isInvalid() {
        assertThat(catchThrowableOfType(InvalidQueryException.class,
                () -> BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T12:00:00.001Z"), Granularity.ALL, UTC)))
                .isNotNull();
    }

    // ---- bucket limit ---------------------------------------------------------------------------------

    @Test
    void tooManyBuckets_isInvalid() {
        // 70 days of minutes is 100,800 buckets, more than MAX_BUCKETS.
        InvalidQueryException e = catchThrowableOfType(InvalidQueryException.class,
                () -> BucketPlan.of(t("2024-01-01T00:00:00Z"), t("2024-03-11T00:00:00Z"), Granularity.MINUTE, UTC));

        assertThat(e).isNotNull();
        assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.path()).isEqualTo("granularity"));
    }

    @Test
    void exactlyTheMaximumNumberOfBuckets_isAllowed() {
        Instant from = t("2024-01-01T00:00:00Z");
        Instant to = from.plus(Duration.ofMinutes(BucketPlan.MAX_BUCKETS));

        assertThat(BucketPlan.of(from, to, Granularity.MINUTE, UTC).buckets()).isEqualTo(BucketPlan.MAX_BUCKETS);
        assertThat(catchThrowableOfType(InvalidQueryException.class,
                () -> BucketPlan.of(from, to.plus(Duration.ofMinutes(1)), Granularity.MINUTE, UTC))).isNotNull();
    }

    @Test
    void manyDays_areFine() {
        BucketPlan plan = BucketPlan.of(t("2000-01-01T00:00:00Z"), t("2024-01-01T00:00:00Z"), Granularity.DAY, BERLIN);

        assertThat(plan.buckets()).isEqualTo(8767);
    }

    // ---- bucketOf -------------------------------------------------------------------------------------

    @Test
    void bucketOf_findsTheBucketHoldingAnInstant() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:20:00Z"), t("2024-01-15T12:40:00Z"), Granularity.HOUR, UTC);

        assertThat(plan.bucketOf(ms("2024-01-15T10:20:00Z"))).isEqualTo(0);
        assertThat(plan.bucketOf(ms("2024-01-15T10:59:59.999Z"))).isEqualTo(0);
        assertThat(plan.bucketOf(ms("2024-01-15T11:00:00Z"))).isEqualTo(1);
        assertThat(plan.bucketOf(ms("2024-01-15T11:30:00Z"))).isEqualTo(1);
        assertThat(plan.bucketOf(ms("2024-01-15T12:00:00Z"))).isEqualTo(2);
        assertThat(plan.bucketOf(ms("2024-01-15T12:39:59.999Z"))).isEqualTo(2);
    }

    @Test
    void bucketOf_outsideTheRangeIsMinusOne() {
        BucketPlan plan = BucketPlan.of(t("2024-01-15T10:00:00Z"), t("2024-01-15T12:00:00Z"), Granularity.HOUR, UTC);

        assertThat(plan.bucketOf(ms("2024-01-15T09:59:59.999Z"))).isEqualTo(-1);
        assertThat(plan.bucketOf(ms("2024-01-15T12:00:00Z"))).as("the end is exclusive").isEqualTo(-1);
        assertThat(plan.bucketOf(Long.MIN_VALUE)).isEqualTo(-1);
        assertThat(plan.bucketOf(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void bucketOf_berlinDstDay() {
        BucketPlan plan = BucketPlan.of(t("2024-03-29T23:00:00Z"), t("2024-04-01T22:00:00Z"), Granularity.DAY, BERLIN);

        assertThat(plan.bucketOf(ms("2024-03-31T21:59:00Z"))).as("23:59 local on the 23-hour day").isEqualTo(1);
        assertThat(plan.bucketOf(ms("2024-03-31T22:00:00Z"))).as("00:00 local on 1 April").isEqualTo(2);
    }
}
