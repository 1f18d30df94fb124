package dev.tally.engine.auth;

import dev.tally.api.Principal;
import dev.tally.api.Role;
import dev.tally.spi.Catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API keys of the form {@code tly_<keyId>_<secret>}: the key id is stored in clear to find the row, the
 * 256-bit random secret only as its SHA-256 (a fast hash suffices for high-entropy secrets), compared in
 * constant time. Thread-safe.
 */
public final class ApiKeys {
    private static final String PREFIX = "tly_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] DUMMY_HASH = sha256("tally-dummy-secret");

    private final Catalog catalog;

    public ApiKeys(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Creates and stores a key; returns the full key, which is never stored. */
    public String create(String projectId, Role role, Instant now) {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String keyId = HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        catalog.addApiKey(new Catalog.ApiKeyRecord(keyId, projectId, role, sha256(secretText), now));
        return PREFIX + keyId + "_" + secretText;
    }

    /** The principal of a valid key; empty for anything else, in time independent of the secret. */
    public Optional<Principal> authenticate(String key) {
        if (key == null || key.length() > 200 || !key.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int split = key.indexOf('_', PREFIX.length());
        if (split != PREFIX.length() + 16) {
            return Optional.empty();
        }
        String keyId = key.substring(PREFIX.length(), split);
        byte[] presented = sha256(key.substring(split + 1));
        Optional<Catalog.ApiKeyRecord> record = catalog.apiKey(keyId);
        byte[] expected = record.map(Catalog.ApiKeyRecord::secretHash).orElse(DUMMY_HASH);
        boolean ok = MessageDigest.isEqual(presented, expected);
        return ok && record.isPresent()
                ? Optional.of(new Principal(record.get().projectId(), record.get().role(), keyId))
                : Optional.empty();
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
