package dev.tally.engine.sql;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Limits of ad-hoc SQL ({@code tally.sql.*}).
 *
 * @param maxRows        rows a query may return ({@code tally.sql.max-rows}, 10000); more are cut off
 * @param timeout        how long one statement may run before it is cancelled ({@code tally.sql.timeout}, 20s:
 *                       below the HTTP request timeout, so that a client sees the clean timeout answer)
 * @param maxConcurrent  statements that run at once ({@code tally.sql.max-concurrent}, 2)
 * @param maxQueued      callers that may wait for a free slot ({@code tally.sql.max-queued}, 8); more are
 *                       refused as overloaded
 * @param queueWait      how long a caller waits for a slot before it is refused ({@code tally.sql.queue-wait}, 5s)
 * @param maxSqlChars    longest accepted statement ({@code tally.sql.max-length}, 65536 characters)
 * @param maxResultChars about how much text a result may hold ({@code tally.sql.max-result-chars}, 16M); rows
 *                       beyond are cut off like rows beyond the row limit
 * @param memoryLimit    DuckDB's memory limit for one statement ({@code tally.sql.memory-limit}, {@code 1GB})
 * @param threads        DuckDB threads for one statement ({@code tally.sql.threads}, 2)
 * @param cacheDir       where objects of remote stores are copied before they are read
 *                       ({@code tally.sql.cache-dir}; {@code null}: a temporary directory removed on close)
 */
public record SqlSettings(int maxRows, Duration timeout, int maxConcurrent, int maxQueued, Duration queueWait,
                          int maxSqlChars, long maxResultChars, String memoryLimit, int threads, Path cacheDir) {

    public SqlSettings {
        if (maxRows < 1 || maxConcurrent < 1 || maxQueued < 0 || maxSqlChars < 1 || maxResultChars < 1 || threads < 1) {
            throw new ConfigurationException("tally.sql.* limits must be positive (max-queued may be 0)");
        }
        if (timeout.isNegative() || timeout.isZero() || queueWait.isNegative()) {
            throw new ConfigurationException("tally.sql.timeout must be positive and tally.sql.queue-wait not negative");
        }
        if (!memoryLimit.matches("\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
            throw new ConfigurationException("setting 'tally.sql.memory-limit' must look like 512MB or 2GB, got '"
                    + memoryLimit + "'");
        }
    }

    public static SqlSettings defaults() {
        return new SqlSettings(10_000, Duration.ofSeconds(20), 2, 8, Duration.ofSeconds(5), 64 * 1024,
                16L << 20, "1GB", 2, null);
    }

    public static SqlSettings from(BackendConfig c) {
        SqlSettings d = defaults();
        return new SqlSettings(
                (int) c.longValue("tally.sql.max-rows", d.maxRows()),
                c.duration("tally.sql.timeout", d.timeout()),
                (int) c.longValue("tally.sql.max-concurrent", d.maxConcurrent()),
                (int) c.longValue("tally.sql.max-queued", d.maxQueued()),
                c.duration("tally.sql.queue-wait", d.queueWait()),
                (int) c.longValue("tally.sql.max-length", d.maxSqlChars()),
                c.longValue("tally.sql.max-result-chars", d.maxResultChars()),
                c.string("tally.sql.memory-limit").orElse(d.memoryLimit()),
                (int) c.longValue("tally.sql.threads", d.threads()),
                c.string("tally.sql.cache-dir").map(Path::of).orElse(null));
    }
}
