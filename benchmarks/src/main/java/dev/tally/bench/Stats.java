package dev.tally.bench;

import java.util.Arrays;

/** Percentiles of a sample of durations in nanoseconds. */
record Stats(long[] sortedNanos) {
    static Stats of(long[] nanos) {
        long[] copy = nanos.clone();
        Arrays.sort(copy);
        return new Stats(copy);
    }

    double percentileMillis(double p) {
        int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }

    String summary() {
        return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", percentileMillis(50),
                percentileMillis(90), percentileMillis(99), percentileMillis(100), sortedNanos.length);
    }
}
