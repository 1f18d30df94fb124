package dev.tally.http;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed view over the HTTP server's {@code tally.*} settings, read from one {@code String get(String key)}
 * source (a properties file, a map, the environment, a lambda in tests). Every getter has a default; a
 * malformed value fails with a {@link ConfigurationException} naming the key. Thread-safe if the source is.
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code tally.admin-key} ({@code TALLY_ADMIN_KEY})</td><td>none</td>
 *       <td>the server admin key: may create projects ({@code POST /v1/projects})</td></tr>
 *   <tr><td>{@code tally.http.host}</td><td>{@code 0.0.0.0}</td><td>address to listen on</td></tr>
 *   <tr><td>{@code tally.http.max-body-bytes}</td><td>5 MiB</td><td>larger request bodies get 413</td></tr>
 *   <tr><td>{@code tally.http.rate-limit.events-per-second}</td><td>1,000,000</td>
 *       <td>events each API key may send per second (0 = unlimited); 429 beyond</td></tr>
 *   <tr><td>{@code tally.http.rate-limit.requests-per-second}</td><td>100,000</td>
 *       <td>requests each API key may make per second (0 = unlimited); 429 beyond</td></tr>
 *   <tr><td>{@code tally.http.rate-limit.project.<projectId>.events-per-second} / {@code .requests-per-second}</td>
 *       <td>the above</td><td>per-project override (applies to each key of the project)</td></tr>
 *   <tr><td>{@code tally.http.rate-limit.burst}</td><td>{@code 1s}</td>
 *       <td>a key may spend this much of its rate at once (token bucket capacity)</td></tr>
 *   <tr><td>{@code tally.http.event-loops}</td><td>cores</td>
 *       <td>event-loop threads that read, route and answer requests (one HTTP server instance each, sharing the
 *       port; connections are spread over them)</td></tr>
 *   <tr><td>{@code tally.http.worker-threads}</td><td>max(8, 2 × cores)</td>
 *       <td>threads that run engine calls (they block: disk, H2, the event log)</td></tr>
 *   <tr><td>{@code tally.http.queue-capacity}</td><td>256</td>
 *       <td>engine calls waiting for a worker; when full, requests get 503 + Retry-After</td></tr>
 *   <tr><td>{@code tally.http.request-timeout}</td><td>{@code 30s}</td><td>503 when a request takes longer</td></tr>
 *   <tr><td>{@code tally.http.shutdown-timeout}</td><td>{@code 30s}</td>
 *       <td>how long a graceful stop waits for in-flight requests</td></tr>
 *   <tr><td>{@code tally.http.auth-cache-ttl}</td><td>{@code 60s}</td>
 *       <td>how long a verified API key is remembered (0 = ask the catalog every time)</td></tr>
 *   <tr><td>{@code tally.http.retry-after}</td><td>{@code 1s}</td><td>the Retry-After of 503 answers</td></tr>
 * </table>
 */
@FunctionalInterface
public interface ServerSettings {

    long MIB = 1024L * 1024L;

    /** Every key the server reads; a key ending in {@code .} stands for every key under it. */
    java.util.List<String> KEYS = java.util.List.of("tally.admin-key", "tally.http.host", "tally.http.max-body-bytes",
            "tally.http.rate-limit.events-per-second", "tally.http.rate-limit.requests-per-second",
            "tally.http.rate-limit.project.", "tally.http.rate-limit.burst", "tally.http.event-loops", "tally.http.worker-threads",
            "tally.http.queue-capacity", "tally.http.request-timeout", "tally.http.shutdown-timeout",
            "tally.http.auth-cache-ttl", "tally.http.ready.max-lag", "tally.http.retry-after");

    /** The raw value of a key, or {@code null}. */
    String get(String key);

    static ServerSettings defaults() {
        return key -> null;
    }

    static ServerSettings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return copy::get;
    }

    /**
     * Java system properties first ({@code -Dtally.admin-key=...}), then environment variables
     * ({@code TALLY_ADMIN_KEY}: the key upper-cased, {@code .} and {@code -} as {@code _}), then {@code fallback}.
     */
    static ServerSettings layered(Function<String, String> systemProperties, Function<String, String> environment,
                                  ServerSettings fallback) {
        return key -> {
            String v = systemProperties.apply(key);
            if (v == null) {
                v = environment.apply(environmentName(key));
            }
            return v != null ? v : fallback.get(key);
        };
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    default Optional<String> adminKey() {
        return Optional.ofNullable(get("tally.admin-key")).map(String::trim).filter(s -> !s.isEmpty());
    }

    default String host() {
        return Optional.ofNullable(get("tally.http.host")).map(String::trim).filter(s -> !s.isEmpty())
                .orElse("0.0.0.0");
    }

    default long maxBodyBytes() {
        return positiveLong("tally.http.max-body-bytes", 5 * MIB);
    }

    default double eventsPerSecond(String projectId) {
        return rate("tally.http.rate-limit.project." + projectId + ".events-per-second",
                rate("tally.http.rate-limit.events-per-second", 1_000_000));
    }

    default double requestsPerSecond(String projectId) {
        return rate("tally.http.rate-limit.project." + projectId + ".requests-per-second",
                rate("tally.http.rate-limit.requests-per-second", 100_000));
    }

    default Duration rateLimitBurst() {
        return positiveDuration("tally.http.rate-limit.burst", Duration.ofSeconds(1));
    }

    default int eventLoops() {
        long v = positiveLong("tally.http.event-loops", Runtime.getRuntime().availableProcessors());
        if (v > 256) {
            throw new ConfigurationException("setting 'tally.http.event-loops' must be between 1 and 256, got " + v);
        }
        return (int) v;
    }

    default int workerThreads() {
        return (int) positiveLong("tally.http.worker-threads",
                Math.max(8, 2L * Runtime.getRuntime().availableProcessors()));
    }

    default int queueCapacity() {
        long v = view().longValue("tally.http.queue-capacity", 256);
        if (v < 0 || v > 1_000_000) {
            throw new ConfigurationException("setting 'tally.http.queue-capacity' must be between 0 and 1000000, got " + v);
        }
        return (int) v;
    }

    default Duration requestTimeout() {
        return positiveDuration("tally.http.request-timeout", Duration.ofSeconds(30));
    }

    default Duration shutdownTimeout() {
        return positiveDuration("tally.http.shutdown-timeout", Duration.ofSeconds(30));
    }

    default Duration authCacheTtl() {
        Duration d = view().duration("tally.http.auth-cache-ttl", Duration.ofSeconds(60));
        if (d.isNegative()) {
            throw new ConfigurationException("setting 'tally.http.auth-cache-ttl' must not be negative");
        }
        return d;
    }

    /** {@code /ready} answers 503 when aggregation is further behind ingestion than this. */
    default Duration readyMaxLag() {
        return positiveDuration("tally.http.ready.max-lag", Duration.ofSeconds(60));
    }

    default Duration retryAfter() {
        return positiveDuration("tally.http.retry-after", Duration.ofSeconds(1));
    }

    /** Reads every setting once, so that a bad value fails at start rather than at the first request. */
    default void validate() {
        adminKey();
        host();
        maxBodyBytes();
        eventsPerSecond("default");
        requestsPerSecond("default");
        rateLimitBurst();
        eventLoops();
        workerThreads();
        queueCapacity();
        requestTimeout();
        shutdownTimeout();
        authCacheTtl();
        retryAfter();
        readyMaxLag();
    }

    /** Borrows the engine's parsers (durations like {@code 500ms}, {@code 30s}, ISO-8601) for one consistent syntax. */
    private BackendConfig view() {
        return new BackendConfig() {
            @Override
            public String get(String key) {
                return ServerSettings.this.get(key);
            }

            @Override
            public InstantSource clock() {
                return InstantSource.system();
            }
        };
    }

    private long positiveLong(String key, long defaultValue) {
        long v = view().longValue(key, defaultValue);
        if (v < 1) {
            throw new ConfigurationException("setting '" + key + "' must be positive, got " + v);
        }
        return v;
    }

    private Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = view().duration(key, defaultValue);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigurationException("setting '" + key + "' must be a positive duration, got " + d);
        }
        return d;
    }

    private double rate(String key, double defaultValue) {
        String raw = get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            double v = Double.parseDouble(raw.trim().replace("_", ""));
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigurationException("setting '" + key + "' must be a non-negative number, got '" + raw + "'");
        }
    }
}
