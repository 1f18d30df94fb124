package dev.tally.engine.aggregate;

import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;

/**
 * The cap on one metric's distinct dimension combinations per window ({@code tally.windows.max-combinations}):
 * the first {@code max} combinations seen in a window get windows of their own, later ones are folded into the
 * {@code __other__} bucket ({@link #otherBucket}). One rule for the in-process {@link AggregationJob} and the cloud
 * profile's Flink job, so both store the same windows.
 *
 * <p>Remembers the combinations it admitted per window size and start until {@link #forgetBefore} drops them.
 * Not thread-safe; serializable (the Flink job keeps it in keyed state).
 *
 * @param <K> how the caller names a combination (its dimension values, or their encoded form)
 */
public final class CombinationCap<K> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int SIZES = WindowSize.values().length;

    private int max;
    private ArrayList<HashMap<Long, HashSet<K>>> admitted;
    private long changes;

    /** For serialization frameworks only. */
    CombinationCap() {
    }

    /** @param max combinations per window before the other-bucket; at least 1 */
    public CombinationCap(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max combinations must be at least 1, got " + max);
        }
        this.max = max;
        this.admitted = new ArrayList<>(SIZES);
        for (int i = 0; i < SIZES; i++) {
            admitted.add(new HashMap<>());
        }
    }

    /**
     * Whether {@code combination} has (or now gets) a window of its own of {@code size} starting at {@code start};
     * {@code false} means its values go to the other-bucket of that window.
     */
    public boolean admit(WindowSize size, long start, K combination) {
        HashSet<K> seen = admitted.get(size.ordinal()).computeIfAbsent(start, s -> new HashSet<>());
        if (seen.contains(combination)) {
            return true;
        }
        if (seen.size() >= max) {
            return false;
        }
        seen.add(combination);
        changes++;
        return true;
    }

    /** Forgets the windows starting before {@code start} (no event can reach them any more). */
    public void forgetBefore(long start) {
        for (HashMap<Long, HashSet<K>> windows : admitted) {
            if (windows.keySet().removeIf(s -> s < start)) {
                changes++;
            }
        }
    }

    /** Counts the changes so far, so a caller that keeps this in external state knows when to write it back. */
    public long changes() {
        return changes;
    }

    /** The dimension values of the other-bucket of a metric with {@code dimensions} dimensions. */
    public static List<String> otherBucket(int dimensions) {
        List<String> values = new ArrayList<>(dimensions);
        for (int i = 0; i < dimensions; i++) {
            values.add(WindowKey.OTHER_VALUE);
        }
        return List.copyOf(values);
    }

    /** Whether {@code dimensions} are the other-bucket's values. */
    public static boolean isOtherBucket(List<String> dimensions) {
        return !dimensions.isEmpty() && dimensions.get(0).equals(WindowKey.OTHER_VALUE);
    }
}
