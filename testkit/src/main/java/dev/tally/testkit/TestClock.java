package dev.tally.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told. Give it to {@code Tally.builder().clock(...)}: window routing,
 * future-timestamp checks, TTLs and retention then follow the test, not the wall. Thread-safe.
 */
public final class TestClock extends Clock {
    /** Where new clocks start unless told otherwise: a Monday, 10:00 UTC. */
    public static final Instant DEFAULT_START = Instant.parse("2024-01-15T10:00:00Z");

    private final AtomicLong millis;

    private TestClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public static TestClock at(Instant start) {
        return new TestClock(start);
    }

    public static TestClock create() {
        return new TestClock(DEFAULT_START);
    }

    /** Moves the clock forward (or backward, for a negative duration) and returns the new time. */
    public Instant advance(Duration d) {
        return Instant.ofEpochMilli(millis.addAndGet(d.toMillis()));
    }

    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("TestClock is always UTC");
    }

    @Override
    public String toString() {
        return "TestClock[" + instant() + "]";
    }
}
