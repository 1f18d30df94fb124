package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.BackendUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.tally.api.Principal;
import dev.tally.api.Role;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer keys: project keys are verified by the engine ({@link Tally#authenticate}) and remembered for a
 * short TTL (indexed by the key's SHA-256, never the key itself) so that most requests need no catalog read;
 * the server admin key is compared in constant time. Unknown keys are never remembered (random keys cannot fill the cache). Thread-safe.
 */
final class Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    /** The principal the server admin key stands for; it is no project's key. */
    static final String SERVER_ADMIN_KEY_ID = "server-admin";
    private static final int MAX_CACHED = 10_000;

    private final Tally tally;
    private final InstantSource clock;
    private final Duration ttl;
    private final byte[] adminKeyHash;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, Instant expires) {
    }

    Authenticator(Tally tally, ServerSettings settings, InstantSource clock) {
        this.tally = tally;
        this.clock = clock;
        this.ttl = settings.authCacheTtl();
        this.adminKeyHash = settings.adminKey().map(Authenticator::sha256).orElse(null);
    }

    /** The key of {@code Authorization: Bearer <key>}, or {@code null} when absent or malformed. */
    static String bearer(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = header.substring(7).trim();
        return key.isEmpty() ? null : key;
    }

    boolean isServerAdminKey(String key) {
        return adminKeyHash != null && MessageDigest.isEqual(adminKeyHash, sha256(key));
    }

    Principal serverAdmin() {
        return new Principal("", Role.ADMIN, SERVER_ADMIN_KEY_ID);
    }

    /** A remembered, unexpired principal for the key (no I/O: safe on the event loop). */
    Optional<Principal> cached(String key) {
        String id = cacheKey(key);
        Cached c = cache.get(id);
        if (c == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(c.expires())) {
            return Optional.empty(); // kept: served by verify() if the catalog is unreachable
        }
        return Optional.of(c.principal());
    }

    /**
     * Asks the engine (blocking). When the catalog is unreachable, a key verified before (even if its cache
     * entry expired) stays valid, so an outage of the metadata store does not stop ingestion.
     */
    Optional<Principal> verify(String key) {
        Optional<Principal> principal;
        try {
            principal = tally.authenticate(key);
        } catch (BackendUnavailableException e) {
            Cached stale = cache.get(cacheKey(key));
            if (stale == null) {
                throw e;
            }
            LOG.warn("cannot verify an API key ({}); accepting key {} as verified before", e.getMessage(),
                    stale.principal().keyId());
            return Optional.of(stale.principal());
        }
        if (principal.isPresent() && !ttl.isZero()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(cacheKey(key), new Cached(principal.get(), clock.instant().plus(ttl)));
        }
        return principal;
    }

    /** Remembered keys are indexed by their hash: no secret sits in the cache. */
    private static String cacheKey(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
