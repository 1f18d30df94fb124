package dev.tally.testkit.cloud;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis server (6.2, the binary bundled by {@code com.github.codemonstur:embedded-redis}) in a child
 * process, for tests and {@code tally stack}: no Docker, no installed Redis.
 *
 * <p>Everything lives under the work directory given to {@link #start(Path)}: the extracted binary in
 * {@code bin/} (so no {@code redis-*} folders pile up in the system temp directory) and the data in
 * {@code data/}. Persistence is on (an append-only file, fsynced every second, written in full on a clean
 * shutdown), so {@link #stop()} then {@link #restart()} comes back on the same port with the same keys — what
 * degradation tests need to take Redis away and bring it back.
 *
 * <p>The server listens on 127.0.0.1 only, without a password. Not thread-safe: one owner starts, stops and
 * closes it.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

    private final Path workDir;
    private final File executable;
    private final int port;
    private RedisServer server;
    private boolean closed;

    private EmbeddedRedis(Path workDir, File executable, int port) {
        this.workDir = workDir;
        this.executable = executable;
        this.port = port;
    }

    /**
     * Starts a fresh server on a free port, keeping its binary and data under {@code workDir} (created if
     * missing).
     *
     * @throws UncheckedIOException when the binary cannot be extracted or the server does not come up
     */
    public static EmbeddedRedis start(Path workDir) {
        long started = System.nanoTime();
        try {
            Path bin = Files.createDirectories(workDir.resolve("bin"));
            Files.createDirectories(workDir.resolve("data"));
            File executable = ExecutableProvider.newJarResourceProvider(bin.toFile()).get();
            EmbeddedRedis redis = new EmbeddedRedis(workDir, executable, LocalFiles.freePort());
            redis.launch();
            LOG.info("embedded Redis started on port {} in {} ms", redis.port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Redis under " + workDir, e);
        }
    }

    private void launch() throws IOException {
        List<String> args = List.of(executable.getAbsolutePath(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--dir", workDir.resolve("data").toAbsolutePath().toString(),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "");
        // forceStop=false: stop() sends SIGTERM, so Redis flushes its append-only file before it exits
        RedisServer s = new RedisServer(port, args, false, line -> LOG.debug("redis: {}", line),
                line -> LOG.warn("redis: {}", line));
        s.start();
        server = s;
    }

    /** The port the server listens on; the same across {@link #stop()} and {@link #restart()}. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The settings that point the cloud backend's Redis parts at this server. */
    public Map<String, String> settings() {
        return Map.of("tally.redis.uri", uri());
    }

    /** Stops the server process cleanly; its data and port stay, for {@link #restart()}. Idempotent. */
    public void stop() {
        if (server == null) {
            return;
        }
        long started = System.nanoTime();
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop embedded Redis on port " + port, e);
        } finally {
            server = null;
        }
        LOG.info("embedded Redis on port {} stopped in {} ms", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Starts the server again on the same port with the data it had when stopped. */
    public void restart() {
        if (closed) {
            throw new IllegalStateException("embedded Redis on port " + port + " is closed");
        }
        stop();
        long started = System.nanoTime();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart embedded Redis on port " + port, e);
        }
        LOG.info("embedded Redis restarted on port {} in {} ms", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Stops the server and deletes its binary and data (and the work directory, when nothing else is in it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        LocalFiles.deleteTree(workDir.resolve("bin"));
        LocalFiles.deleteTree(workDir.resolve("data"));
        try {
            Files.deleteIfExists(workDir);
        } catch (IOException e) {
            LOG.debug("left {} in place: {}", workDir, e.toString()); // not empty: the caller keeps files there
        }
    }
}
