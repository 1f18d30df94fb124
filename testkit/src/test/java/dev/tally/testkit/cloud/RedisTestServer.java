package dev.tally.testkit.cloud;

import dev.tally.cloud.RedisTestBackend;
import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link EmbeddedRedis} for the whole test JVM, started on first use and closed by a shutdown hook, plus a
 * fresh namespace per test directory: every contract test gets an empty Redis view of its own, and
 * {@code reopenBackend()} (same directory) sees the same keys again.
 */
final class RedisTestServer {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Map<Path, String> NAMESPACE_BY_DIR = new ConcurrentHashMap<>();
    private static EmbeddedRedis server;

    private RedisTestServer() {
    }

    /** The shared server, started on first call. */
    static synchronized EmbeddedRedis server() {
        if (server == null) {
            Path workDir;
            try {
                workDir = Files.createTempDirectory("tally-redis-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedRedis started = EmbeddedRedis.start(workDir);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-redis-close"));
            server = started;
        }
        return server;
    }

    /** A namespace of its own for each test directory; the same one again for the same directory. */
    static String namespaceFor(Path dir) {
        return NAMESPACE_BY_DIR.computeIfAbsent(dir.toAbsolutePath(), d -> "t" + NAMESPACES.incrementAndGet());
    }

    /** The settings for the cloud backend's Redis parts, in the namespace of {@code dir}. */
    static Map<String, String> settings(Path dir) {
        Map<String, String> settings = new HashMap<>(server().settings());
        settings.put("tally.cloud.namespace", namespaceFor(dir));
        return settings;
    }

    /** The Redis parts of the cloud backend (dedup, windows, cache) on the shared server, in {@code dir}'s namespace. */
    static Backend openBackend(Path dir, TestClock clock) {
        return RedisTestBackend.open(settings(dir), clock);
    }
}
