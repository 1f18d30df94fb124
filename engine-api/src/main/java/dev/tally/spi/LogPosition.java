package dev.tally.spi;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer's place in an {@link EventLog}: for each partition, the offset of the last record consumed
 * ({@code -1} for none). Immutable.
 *
 * <p>Partitions have names. A log with numbered partitions (Chronicle's single partition {@code 0}) uses
 * {@link #of(long...)}, whose partitions are named {@code "0"}, {@code "1"}, …; a log whose partitions come and
 * go (Kafka, one topic per project) names them itself, e.g. {@code events.acme/3}, with {@link #with(String, long)}.
 * A partition a position does not name has consumed nothing ({@code -1}).
 */
public final class LogPosition {
    public static final LogPosition NONE = new LogPosition(new String[0], new long[0]);

    /** Partition names in ascending order, parallel to {@link #lastOffsets}. */
    private final String[] names;
    private final long[] lastOffsets;

    private LogPosition(String[] names, long[] lastOffsets) {
        this.names = names;
        this.lastOffsets = lastOffsets;
    }

    /** A position over numbered partitions {@code 0..n-1}. */
    public static LogPosition of(long... lastOffsets) {
        if (lastOffsets.length == 0) {
            return NONE;
        }
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 0; i < lastOffsets.length; i++) {
            m.put(Integer.toString(i), lastOffsets[i]);
        }
        return of(m);
    }

    /** A position over named partitions. */
    public static LogPosition of(Map<String, Long> lastOffsets) {
        if (lastOffsets.isEmpty()) {
            return NONE;
        }
        TreeMap<String, Long> sorted = new TreeMap<>(LogPosition::compareNames);
        sorted.putAll(lastOffsets);
        String[] names = new String[sorted.size()];
        long[] offsets = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            names[i] = checkName(e.getKey());
            offsets[i++] = e.getValue();
        }
        return new LogPosition(names, offsets);
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.indexOf(',') >= 0 || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("a partition name must be non-empty without ',' or '=': '" + name + "'");
        }
        return name;
    }

    public int partitions() {
        return names.length;
    }

    /** The partitions this position names, ascending. */
    public java.util.List<String> partitionNames() {
        return java.util.List.of(names);
    }

    /** Last consumed offset of numbered partition {@code partition}, {@code -1} when nothing was consumed there. */
    public long lastOffset(int partition) {
        return lastOffset(Integer.toString(partition));
    }

    /** Last consumed offset of a named partition, {@code -1} when nothing was consumed there. */
    public long lastOffset(String partition) {
        int i = Arrays.binarySearch(names, partition, LogPosition::compareNames);
        return i >= 0 ? lastOffsets[i] : -1;
    }

    /** This position with numbered partition {@code partition} at {@code lastOffset}. */
    public LogPosition with(int partition, long lastOffset) {
        LogPosition p = this;
        for (int i = 0; i < partition; i++) {
            if (p.indexOf(Integer.toString(i)) < 0) {
                p = p.with(Integer.toString(i), -1);
            }
        }
        return p.with(Integer.toString(partition), lastOffset);
    }

    /** This position with a named partition at {@code lastOffset}. */
    public LogPosition with(String partition, long lastOffset) {
        int i = indexOf(partition);
        if (i >= 0) {
            long[] offsets = lastOffsets.clone();
            offsets[i] = lastOffset;
            return new LogPosition(names, offsets);
        }
        int at = -i - 1;
        String[] n = new String[names.length + 1];
        long[] o = new long[names.length + 1];
        System.arraycopy(names, 0, n, 0, at);
        System.arraycopy(lastOffsets, 0, o, 0, at);
        n[at] = checkName(partition);
        o[at] = lastOffset;
        System.arraycopy(names, at, n, at + 1, names.length - at);
        System.arraycopy(lastOffsets, at, o, at + 1, names.length - at);
        return new LogPosition(n, o);
    }

    private int indexOf(String partition) {
        return Arrays.binarySearch(names, partition, LogPosition::compareNames);
    }

    /** {@code true} when this position has consumed everything {@code other} has. */
    public boolean covers(LogPosition other) {
        for (int p = 0; p < other.names.length; p++) {
            if (lastOffset(other.names[p]) < other.lastOffsets[p]) {
                return false;
            }
        }
        return true;
    }

    /** Per partition, the lower of the two offsets: what both positions have consumed. */
    public LogPosition min(LogPosition other) {
        Map<String, Long> lowest = new java.util.HashMap<>();
        for (String name : names) {
            lowest.put(name, Math.min(lastOffset(name), other.lastOffset(name)));
        }
        for (String name : other.names) {
            lowest.put(name, Math.min(lastOffset(name), other.lastOffset(name)));
        }
        return of(lowest);
    }

    /**
     * Compact text form: {@code 12,-1,40} for numbered partitions {@code 0..n-1}, otherwise
     * {@code name=offset} pairs ({@code events.a/0=12,events.b/0=3}); see {@link #parse(String)}.
     */
    public String encode() {
        boolean numbered = isNumbered();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (!numbered) {
                sb.append(names[i]).append('=');
            }
            sb.append(lastOffsets[i]);
        }
        return sb.toString();
    }

    /** Names are exactly {@code "0".."n-1"} (in name order, which {@link #compareNames} makes numeric). */
    private boolean isNumbered() {
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals(Integer.toString(i))) {
                return false;
            }
        }
        return true;
    }

    public static LogPosition parse(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        String[] parts = text.split(",");
        if (text.indexOf('=') < 0) {
            long[] offsets = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                offsets[i] = Long.parseLong(parts[i]);
            }
            return of(offsets);
        }
        Map<String, Long> m = new java.util.HashMap<>();
        for (String part : parts) {
            int eq = part.lastIndexOf('=');
            if (eq <= 0) {
                throw new NumberFormatException("not a name=offset pair: '" + part + "'");
            }
            m.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return of(m);
    }

    /**
     * Orders partition names so numbered partitions sort numerically ({@code "2" < "10"}) and before named
     * ones, which sort as text.
     */
    private static int compareNames(String a, String b) {
        boolean an = isNumber(a);
        boolean bn = isNumber(b);
        if (an && bn) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 1 && s.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogPosition p && Arrays.equals(names, p.names) && Arrays.equals(lastOffsets, p.lastOffsets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.hashCode(lastOffsets);
    }

    @Override
    public String toString() {
        return "LogPosition[" + encode() + "]";
    }
}
