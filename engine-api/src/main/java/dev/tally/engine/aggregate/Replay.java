package dev.tally.engine.aggregate;

import dev.tally.spi.LogPosition;

import java.util.HashMap;
import java.util.Map;

/**
 * A replay in progress: the windows from {@code from} (epoch millis) on are being rebuilt, and records up to
 * {@code until} had been aggregated before it began. Stored beside the watermarks in the aggregator's
 * checkpoint under keys no project id can take ({@code ~replay.*}), so a restart resumes it. Immutable.
 */
record Replay(long from, LogPosition until) {
    private static final String PREFIX = "~replay.";
    private static final String FROM = PREFIX + "from";
    private static final String UNTIL = PREFIX + "until.";

    static boolean isKey(String watermarkKey) {
        return watermarkKey.startsWith(PREFIX);
    }

    Map<String, Long> encode() {
        Map<String, Long> out = new HashMap<>();
        out.put(FROM, from);
        for (int p = 0; p < until.partitions(); p++) {
            out.put(UNTIL + p, until.lastOffset(p));
        }
        return out;
    }

    /** The replay stored in checkpoint watermarks, or null. */
    static Replay decode(Map<String, Long> watermarks) {
        Long from = watermarks.get(FROM);
        if (from == null) {
            return null;
        }
        LogPosition until = LogPosition.NONE;
        for (Map.Entry<String, Long> e : watermarks.entrySet()) {
            if (e.getKey().startsWith(UNTIL)) {
                until = until.with(Integer.parseInt(e.getKey().substring(UNTIL.length())), e.getValue());
            }
        }
        return new Replay(from, until);
    }

    /**
     * Whether the records a poll read between {@code before} and {@code after} had been aggregated before: every
     * partition the poll moved is still within {@code until}.
     */
    boolean rereads(LogPosition before, LogPosition after) {
        int partitions = Math.max(before.partitions(), after.partitions());
        boolean moved = false;
        for (int p = 0; p < partitions; p++) {
            if (after.lastOffset(p) != before.lastOffset(p)) {
                moved = true;
                if (after.lastOffset(p) > until.lastOffset(p)) {
                    return false;
                }
            }
        }
        return moved;
    }

    @Override
    public String toString() {
        return "windows from " + java.time.Instant.ofEpochMilli(from) + " through log " + until;
    }
}
