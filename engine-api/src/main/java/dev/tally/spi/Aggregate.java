package dev.tally.spi;

import dev.tally.api.Aggregation;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

import java.nio.ByteBuffer;

/**
 * The mergeable value of a metric over some events: count, sum, min, max and, for distinct counts, a
 * HyperLogLog sketch of user ids (Apache DataSketches, lgK 12, ~1.6% standard error). The byte form from
 * {@link #toBytes()} is the same in every backend, so values merge across windows, days and profiles.
 *
 * <p>Mutable and not thread-safe: accumulators own one; stores keep copies and hand out copies from
 * {@code get} and read-only snapshots from {@code range}. Merging many
 * aggregates into one keeps their sketches in a single HLL union until a value or the bytes are read.
 */
public final class Aggregate {
    public static final int LG_K = 12;
    private static final byte FORMAT = 1;

    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long valued;
    private HllSketch users;
    // While merging many aggregates (a query, a rollup) the sketches go into one Union; materialized on read.
    private Union union;

    public static Aggregate empty() {
        return new Aggregate();
    }

    /** Counts one event. */
    public void addEvent() {
        count++;
    }

    /** Folds one numeric property value into sum, min, max (and the average's denominator). */
    public void addValue(double value) {
        valued++;
        sum += value;
        if (value < min) {
            min = value;
        }
        if (value > max) {
            max = value;
        }
    }

    /** Adds a user to the distinct-users sketch. */
    public void addUser(String userId) {
        sketch();
        if (users == null) {
            users = new HllSketch(LG_K, TgtHllType.HLL_4);
        }
        users.update(userId);
    }

    public void merge(Aggregate other) {
        count += other.count;
        valued += other.valued;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        HllSketch theirs = other.sketch();
        if (theirs != null) {
            if (users == null && union == null) {
                users = theirs.copy();
            } else {
                if (union == null) {
                    union = new Union(LG_K);
                    union.update(users);
                    users = null;
                }
                union.update(theirs);
            }
        }
    }

    /** The distinct-users sketch, materializing a pending union. */
    private HllSketch sketch() {
        if (union != null) {
            users = union.getResult(TgtHllType.HLL_4);
            union = null;
        }
        return users;
    }

    public long count() {
        return count;
    }

    /** Events that carried a numeric value (the denominator of avg). */
    public long valued() {
        return valued;
    }

    public double sum() {
        return sum;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public double distinctUsers() {
        HllSketch s = sketch();
        return s == null ? 0 : s.getEstimate();
    }

    /** The value the given aggregation reports, or {@code null} when undefined (e.g. min of nothing). */
    public Double value(Aggregation aggregation) {
        return switch (aggregation) {
            case COUNT -> (double) count;
            case SUM -> sum;
            case AVG -> valued == 0 ? null : sum / valued;
            case MIN -> min > max ? null : min;
            case MAX -> min > max ? null : max;
            case UNIQUE -> (double) Math.round(distinctUsers());
        };
    }

    public Aggregate copy() {
        Aggregate a = new Aggregate();
        a.count = count;
        a.sum = sum;
        a.min = min;
        a.max = max;
        a.valued = valued;
        HllSketch s = sketch();
        a.users = s == null ? null : s.copy();
        return a;
    }

    public byte[] toBytes() {
        HllSketch s = sketch();
        byte[] sketch = s == null ? new byte[0] : s.toCompactByteArray();
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 * 5 + 4 + sketch.length);
        buf.put(FORMAT).putLong(count).putLong(valued).putDouble(sum).putDouble(min).putDouble(max)
                .putInt(sketch.length).put(sketch);
        return buf.array();
    }

    public static Aggregate fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte format = buf.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown aggregate format " + format);
        }
        Aggregate a = new Aggregate();
        a.count = buf.getLong();
        a.valued = buf.getLong();
        a.sum = buf.getDouble();
        a.min = buf.getDouble();
        a.max = buf.getDouble();
        int sketchLength = buf.getInt();
        if (sketchLength > 0) {
            byte[] sketch = new byte[sketchLength];
            buf.get(sketch);
            a.users = HllSketch.heapify(Memory.wrap(sketch));
        }
        return a;
    }

    @Override
    public String toString() {
        return "Aggregate{count=" + count + ", sum=" + sum + ", min=" + min + ", max=" + max
                + ", users~" + Math.round(distinctUsers()) + "}";
    }
}
