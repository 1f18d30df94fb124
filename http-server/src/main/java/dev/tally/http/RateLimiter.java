package dev.tally.http;

import dev.tally.api.Principal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per API key limits on requests/s and events/s (token buckets whose capacity is the rate times the burst),
 * timed by the server's clock. A rate of 0 means unlimited. Thread-safe.
 */
final class RateLimiter {
    private final ServerSettings settings;
    private final InstantSource clock;
    private final Map<String, Buckets> byKey = new ConcurrentHashMap<>();

    private record Buckets(TokenBucket requests, TokenBucket events) {
    }

    RateLimiter(ServerSettings settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** @throws HttpFailure 429 when the key made too many requests */
    void acquireRequest(Principal principal) {
        check(buckets(principal).requests(), 1, "requests", principal);
    }

    /** @throws HttpFailure 429 when the key sent too many events */
    void acquireEvents(Principal principal, int events) {
        if (events > 0) {
            check(buckets(principal).events(), events, "events", principal);
        }
    }

    private void check(TokenBucket bucket, int n, String what, Principal principal) {
        if (bucket == null) {
            return;
        }
        long wait = bucket.tryAcquire(n, nanos());
        if (wait == 0) {
            return;
        }
        if (wait == TokenBucket.NEVER) {
            throw HttpFailure.rateLimited(n + " " + what + " in one request exceed this key's limit of "
                    + (long) bucket.capacity() + " at once; send smaller requests", settings.rateLimitBurst());
        }
        throw HttpFailure.rateLimited("rate limit of " + what + " per second exceeded for this API key (project '"
                + principal.projectId() + "')", Duration.ofNanos(wait));
    }

    private Buckets buckets(Principal principal) {
        return byKey.computeIfAbsent(principal.keyId(), k -> {
            double burstSeconds = settings.rateLimitBurst().toNanos() / 1e9;
            long now = nanos();
            return new Buckets(bucket(settings.requestsPerSecond(principal.projectId()), burstSeconds, now),
                    bucket(settings.eventsPerSecond(principal.projectId()), burstSeconds, now));
        });
    }

    private static TokenBucket bucket(double rate, double burstSeconds, long now) {
        return rate <= 0 ? null : new TokenBucket(rate, Math.max(1, rate * burstSeconds), now);
    }

    private long nanos() {
        Instant t = clock.instant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
