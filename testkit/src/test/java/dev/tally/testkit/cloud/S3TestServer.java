package dev.tally.testkit.cloud;

import dev.tally.spi.BackendConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link EmbeddedS3} per test JVM, started on first use and closed by a shutdown hook; each test gets its own
 * namespace (so its own key root in the one bucket), derived from its temp directory so a reopen finds its data.
 */
final class S3TestServer {
    private static EmbeddedS3 server;
    private static final Map<Path, String> NAMESPACES = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger();

    private S3TestServer() {
    }

    static synchronized EmbeddedS3 get() {
        if (server == null) {
            Path work;
            try {
                work = Files.createTempDirectory("tally-s3-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedS3 started = EmbeddedS3.start(work);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                work.toFile().delete();
            }, "embedded-s3-shutdown"));
            server = started;
        }
        return server;
    }

    /** The namespace of the test whose temp directory is {@code dir}: the same one every time for that dir. */
    static String namespace(Path dir) {
        return NAMESPACES.computeIfAbsent(dir, d -> "os" + NEXT.incrementAndGet());
    }

    /** The server's settings in {@code dir}'s namespace, with {@code extra} on top. */
    static BackendConfig config(Path dir, InstantSource clock, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(get().settings());
        settings.put("tally.cloud.namespace", namespace(dir));
        settings.putAll(extra);
        return BackendConfig.of(settings, clock);
    }
}
