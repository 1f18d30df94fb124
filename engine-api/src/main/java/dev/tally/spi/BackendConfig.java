package dev.tally.spi;

import dev.tally.api.ConfigurationException;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * Typed view over string settings ({@code tally.*} keys), plus the engine clock. Backends read what they
 * need with the typed getters, which fail with a {@link ConfigurationException} naming the key.
 */
public interface BackendConfig {

    /** The raw value of a key, e.g. {@code tally.data-dir}, or {@code null}. */
    String get(String key);

    InstantSource clock();

    /**
     * Every key that has a value (for pass-through settings such as {@code tally.kafka.producer.*}); empty for a
     * view that cannot list its keys.
     */
    default java.util.Set<String> keys() {
        return java.util.Set.of();
    }

    /**
     * The settings under {@code prefix} (which ends with {@code .}), keyed by the rest of their key:
     * {@code tally.kafka.producer.linger.ms=5} under {@code tally.kafka.producer.} is {@code linger.ms=5}.
     */
    default Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : keys()) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                out.put(key.substring(prefix.length()), get(key));
            }
        }
        return out;
    }

    static BackendConfig of(Map<String, String> settings, InstantSource clock) {
        Map<String, String> copy = Map.copyOf(settings);
        return new BackendConfig() {
            @Override
            public String get(String key) {
                return copy.get(key);
            }

            @Override
            public java.util.Set<String> keys() {
                return copy.keySet();
            }

            @Override
            public InstantSource clock() {
                return clock;
            }
        };
    }

    /**
     * The engine's local directory, absolute: {@code tally.data-dir}, default {@code tally-data} in the working
     * directory. The local backend keeps everything there; remote backends keep their spools there.
     */
    default Path dataDir() {
        try {
            return Path.of(string("tally.data-dir").orElse("tally-data")).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigurationException("setting 'tally.data-dir' is not a valid path: " + e.getMessage());
        }
    }

    default Optional<String> string(String key) {
        return Optional.ofNullable(get(key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    default String required(String key) {
        return string(key).orElseThrow(() -> new ConfigurationException("missing required setting '" + key + "'"));
    }

    default Path path(String key) {
        try {
            return Path.of(required(key));
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigurationException("setting '" + key + "' is not a valid path: " + e.getMessage());
        }
    }

    default long longValue(String key, long defaultValue) {
        String raw = get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("setting '" + key + "' must be an integer, got '" + raw + "'");
        }
    }

    default boolean bool(String key, boolean defaultValue) {
        String raw = get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigurationException("setting '" + key + "' must be true or false, got '" + raw + "'");
        };
    }

    default Duration duration(String key, Duration defaultValue) {
        String raw = get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("p") || s.startsWith("pt")) {
                return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
            }
            int split = 0;
            while (split < s.length() && Character.isDigit(s.charAt(split))) {
                split++;
            }
            long n = Long.parseLong(s.substring(0, split));
            return switch (s.substring(split)) {
                case "ms" -> Duration.ofMillis(n);
                case "s", "" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new ConfigurationException("setting '" + key + "' must be a duration like 500ms, 30s, 5m, 24h, 30d or ISO-8601, got '"
                    + raw + "'");
        }
    }

    /** A size like {@code 512}, {@code 64KB}, {@code 128MB} or {@code 2GB} (powers of 1024), in bytes. */
    default long bytes(String key, long defaultValue) {
        String raw = get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        String s = raw.trim().toUpperCase(java.util.Locale.ROOT);
        try {
            int split = 0;
            while (split < s.length() && Character.isDigit(s.charAt(split))) {
                split++;
            }
            long n = Long.parseLong(s.substring(0, split));
            long unit = switch (s.substring(split).trim()) {
                case "", "B" -> 1L;
                case "KB", "K" -> 1L << 10;
                case "MB", "M" -> 1L << 20;
                case "GB", "G" -> 1L << 30;
                default -> throw new NumberFormatException();
            };
            return Math.multiplyExact(n, unit);
        } catch (RuntimeException e) {
            throw new ConfigurationException("setting '" + key + "' must be a size like 64KB, 128MB or 1GB, got '"
                    + raw + "'");
        }
    }
}
