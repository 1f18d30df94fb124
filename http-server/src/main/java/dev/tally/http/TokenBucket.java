package dev.tally.http;

/**
 * A token bucket: {@code ratePerSecond} tokens flow in continuously up to {@code capacity}; a call spends
 * tokens or learns how long to wait. Time is passed in (nanoseconds on any fixed origin), so the caller's
 * clock decides. Thread-safe.
 */
final class TokenBucket {
    /** Returned by {@link #tryAcquire} when the request can never fit (more tokens than the capacity). */
    static final long NEVER = Long.MAX_VALUE;

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        if (!(ratePerSecond > 0) || !(capacity > 0)) {
            throw new IllegalArgumentException("rate and capacity must be positive");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** Spends {@code n} tokens and returns 0, or spends nothing and returns the nanoseconds to wait for them. */
    synchronized long tryAcquire(double n, long nowNanos) {
        if (nowNanos > last) {
            tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
            last = nowNanos;
        }
        if (n <= tokens) {
            tokens -= n;
            return 0;
        }
        if (n > capacity) {
            return NEVER;
        }
        return (long) Math.ceil((n - tokens) / ratePerNano);
    }

    double capacity() {
        return capacity;
    }
}
