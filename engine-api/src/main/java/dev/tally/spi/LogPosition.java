package dev.tally.spi;

import java.util.Arrays;

/**
 * A consumer's place in an {@link EventLog}: for each partition, the offset of the last record consumed
 * ({@code -1} for none). A single-partition log (Chronicle) has one entry. Immutable.
 */
public final class LogPosition {
    public static final LogPosition NONE = new LogPosition(new long[0]);

    private final long[] lastOffsets;

    private LogPosition(long[] lastOffsets) {
        this.lastOffsets = lastOffsets;
    }

    public static LogPosition of(long... lastOffsets) {
        return new LogPosition(lastOffsets.clone());
    }

    public int partitions() {
        return lastOffsets.length;
    }

    /** Last consumed offset of a partition, {@code -1} when nothing was consumed there. */
    public long lastOffset(int partition) {
        return partition < lastOffsets.length ? lastOffsets[partition] : -1;
    }

    public LogPosition with(int partition, long lastOffset) {
        long[] next = Arrays.copyOf(lastOffsets, Math.max(lastOffsets.length, partition + 1));
        for (int i = lastOffsets.length; i < next.length; i++) {
            next[i] = -1;
        }
        next[partition] = lastOffset;
        return new LogPosition(next);
    }

    /** {@code true} when this position has consumed everything {@code other} has. */
    public boolean covers(LogPosition other) {
        for (int p = 0; p < other.lastOffsets.length; p++) {
            if (lastOffset(p) < other.lastOffsets[p]) {
                return false;
            }
        }
        return true;
    }

    /** Per partition, the lower of the two offsets: what both positions have consumed. */
    public LogPosition min(LogPosition other) {
        long[] lowest = new long[Math.max(lastOffsets.length, other.lastOffsets.length)];
        for (int p = 0; p < lowest.length; p++) {
            lowest[p] = Math.min(lastOffset(p), other.lastOffset(p));
        }
        return new LogPosition(lowest);
    }

    /** Compact text form, e.g. {@code 12,-1,40}; see {@link #parse(String)}. */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lastOffsets.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(lastOffsets[i]);
        }
        return sb.toString();
    }

    public static LogPosition parse(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        String[] parts = text.split(",");
        long[] offsets = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = Long.parseLong(parts[i]);
        }
        return new LogPosition(offsets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogPosition p && Arrays.equals(lastOffsets, p.lastOffsets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lastOffsets);
    }

    @Override
    public String toString() {
        return "LogPosition[" + encode() + "]";
    }
}
