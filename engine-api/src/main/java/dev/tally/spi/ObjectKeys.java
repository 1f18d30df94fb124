package dev.tally.spi;

import dev.tally.api.InvalidRequestException;

import java.util.regex.Pattern;

/**
 * The one rule for {@link ObjectStore} keys, shared by every backend so that a key one store accepts is accepted
 * by all: {@code /}-separated segments of letters, digits, {@code =}, {@code _}, {@code -} and {@code .}, no segment
 * starting with {@code .} (so no {@code ..}), no leading or trailing {@code /}, at most 1,024 characters. Such a
 * key can neither leave a directory nor a bucket prefix, and sorts the same as a string and as UTF-8 bytes (S3's
 * list order). Stateless and thread-safe.
 */
public final class ObjectKeys {
    private static final Pattern KEY = Pattern.compile(
            "[A-Za-z0-9=_\\-][A-Za-z0-9=_.\\-]*(/[A-Za-z0-9=_\\-][A-Za-z0-9=_.\\-]*)*");
    /** S3's limit on a whole key; a store that adds its own prefix leaves room for it. */
    public static final int MAX_LENGTH = 1024;

    private ObjectKeys() {
    }

    /**
     * Returns {@code key} when it is a valid object key.
     *
     * @throws InvalidRequestException naming the key otherwise (null, empty, escaping, too long)
     */
    public static String check(String key) {
        if (key == null || key.length() > MAX_LENGTH || !KEY.matcher(key).matches()) {
            throw invalid(key);
        }
        return key;
    }

    /**
     * Returns {@code prefix} when it is a valid list prefix: empty, or the start of a valid key (it may end with
     * {@code /} or in the middle of a segment).
     *
     * @throws InvalidRequestException naming the prefix otherwise
     */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw invalid(null);
        }
        if (!prefix.isEmpty()) {
            String asKey = prefix.endsWith("/") ? prefix + "x" : prefix;
            if (asKey.length() > MAX_LENGTH || !KEY.matcher(asKey).matches()) {
                throw invalid(prefix);
            }
        }
        return prefix;
    }

    private static InvalidRequestException invalid(String key) {
        return new InvalidRequestException("key", "invalid_key", "object key '" + key
                + "' must be '/'-separated segments of letters, digits, '=', '_', '-' and '.', not starting with '.'");
    }
}
