package dev.tally.http;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when the test says so (the http-server module does not depend on testkit). */
final class MutableClock implements InstantSource {
    static final Instant START = Instant.parse("2024-01-15T10:00:00Z");

    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    MutableClock() {
        this(START);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    Instant advance(Duration d) {
        return now.updateAndGet(t -> t.plus(d));
    }
}
