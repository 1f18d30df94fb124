package dev.tally.engine.query;

import dev.tally.api.Granularity;
import dev.tally.api.InvalidQueryException;
import dev.tally.spi.WindowSize;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bucket boundaries of a query and the stored window size that tiles them exactly. Day buckets start at
 * local midnight of the query's zone (so a DST day has 23 or 25 hours); in zones with a half-hour or
 * 45-minute offset, hour and day buckets are built from 5m or 1m windows. Immutable.
 */
final class BucketPlan {
    static final int MAX_BUCKETS = 100_000;

    final long[] boundaries;
    final WindowSize source;

    private BucketPlan(long[] boundaries, WindowSize source) {
        this.boundaries = boundaries;
        this.source = source;
    }

    static BucketPlan of(Instant from, Instant to, Granularity granularity, ZoneId zone) {
        long[] b = boundaries(from, to, granularity, zone);
        WindowSize chosen = null;
        for (int i = WindowSize.values().length - 1; i >= 0 && chosen == null; i--) {
            WindowSize size = WindowSize.values()[i];
            if (Arrays.stream(b).allMatch(x -> Math.floorMod(x, size.millis()) == 0)) {
                chosen = size;
            }
        }
        if (chosen == null) {
            throw new InvalidQueryException("startTime", "startTime and endTime must fall on whole minutes");
        }
        return new BucketPlan(b, chosen);
    }

    private static long[] boundaries(Instant from, Instant to, Granularity granularity, ZoneId zone) {
        long start = from.toEpochMilli();
        long end = to.toEpochMilli();
        if (granularity == Granularity.ALL) {
            return new long[] {start, end};
        }
        List<Long> out = new ArrayList<>();
        out.add(start);
        ZonedDateTime cursor = from.atZone(zone);
        // Days step by local date (a DST gap at midnight must not shift later days); shorter buckets by time.
        LocalDate day = cursor.toLocalDate().plusDays(1);
        ZonedDateTime next = switch (granularity) {
            case MINUTE -> cursor.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            case FIVE_MINUTES -> cursor.truncatedTo(ChronoUnit.MINUTES)
                    .minusMinutes(cursor.getMinute() % 5).plusMinutes(5);
            case HOUR -> cursor.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            case DAY -> day.atStartOfDay(zone);
            case ALL -> throw new IllegalStateException();
        };
        while (next.toInstant().toEpochMilli() < end) {
            out.add(next.toInstant().toEpochMilli());
            if (out.size() > MAX_BUCKETS) {
                throw new InvalidQueryException("granularity",
                        "the range has more than " + MAX_BUCKETS + " buckets; use a coarser granularity");
            }
            next = switch (granularity) {
                case MINUTE -> next.plusMinutes(1);
                case FIVE_MINUTES -> next.plusMinutes(5);
                case HOUR -> next.plusHours(1);
                case DAY -> {
                    day = day.plusDays(1);
                    yield day.atStartOfDay(zone);
                }
                case ALL -> throw new IllegalStateException();
            };
        }
        out.add(end);
        long[] b = new long[out.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = out.get(i);
        }
        return b;
    }

    /** Index of the bucket holding {@code t}, or -1 outside the range. */
    int bucketOf(long t) {
        if (t < boundaries[0] || t >= boundaries[boundaries.length - 1]) {
            return -1;
        }
        int i = Arrays.binarySearch(boundaries, t);
        return i >= 0 ? i : -i - 2;
    }

    int buckets() {
        return boundaries.length - 1;
    }
}
