package dev.tally.testkit.cloud;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The cloud profile's servers, started in this JVM with no Docker: a Kafka broker (KRaft), Redis, PostgreSQL and an
 * S3-compatible store, each a real server on a free local port, started in parallel. {@link #settings()} points the
 * {@code cloud} backend at them; {@link #settingsFor} adds a fresh namespace and data directory, so many engines and
 * tests share one stack without seeing each other's data.
 *
 * <pre>{@code
 * try (EmbeddedCloudStack stack = EmbeddedCloudStack.start(dir)) {
 *     Tally tally = Tally.builder().backend("cloud").settings(stack.settingsFor("test1", dir.resolve("engine"))).build();
 * }
 * }</pre>
 *
 * Each server can be stopped and restarted on the same port with its data ({@link #kafka()}, {@link #redis()},
 * {@link #postgres()}, {@link #s3()}), to test how the engine degrades and recovers. Thread-safe for reads;
 * stopping and restarting servers is meant for one test at a time.
 */
public final class EmbeddedCloudStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCloudStack.class);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static EmbeddedCloudStack shared;

    private final Path workDir;
    private final EmbeddedKafka kafka;
    private final EmbeddedRedis redis;
    private final EmbeddedPostgres postgres;
    private final EmbeddedS3 s3;

    private EmbeddedCloudStack(Path workDir, EmbeddedKafka kafka, EmbeddedRedis redis, EmbeddedPostgres postgres,
                               EmbeddedS3 s3) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.redis = redis;
        this.postgres = postgres;
        this.s3 = s3;
    }

    /** Starts every server, in parallel, with data under {@code workDir}; stops the started ones if one fails. */
    public static EmbeddedCloudStack start(Path workDir) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "embedded-cloud-start");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<EmbeddedKafka> kafka = startAsync(pool, workDir.resolve("kafka"), EmbeddedKafka::start);
            CompletableFuture<EmbeddedRedis> redis = startAsync(pool, workDir.resolve("redis"), EmbeddedRedis::start);
            CompletableFuture<EmbeddedPostgres> postgres =
                    startAsync(pool, workDir.resolve("postgres"), EmbeddedPostgres::start);
            CompletableFuture<EmbeddedS3> s3 = startAsync(pool, workDir.resolve("s3"), EmbeddedS3::start);
            try {
                CompletableFuture.allOf(kafka, redis, postgres, s3).join();
            } catch (CompletionException e) {
                Deque<AutoCloseable> up = new ArrayDeque<>();
                for (CompletableFuture<? extends AutoCloseable> f : java.util.List.of(kafka, redis, postgres, s3)) {
                    if (f.isDone() && !f.isCompletedExceptionally()) {
                        up.push(f.join());
                    }
                }
                closeAll(up);
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            EmbeddedCloudStack stack = new EmbeddedCloudStack(workDir, kafka.join(), redis.join(), postgres.join(),
                    s3.join());
            LOG.info("embedded cloud stack up in {} ms (Kafka {}, Redis {}, PostgreSQL {}, S3 {})",
                    (System.nanoTime() - started) / 1_000_000, stack.kafka.settings().get("tally.kafka.bootstrap-servers"),
                    stack.redis.port(), stack.postgres.settings().get("tally.postgres.url"),
                    stack.s3.settings().get("tally.s3.endpoint"));
            return stack;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * One stack for the whole JVM, started by the first caller (in a temporary directory) and stopped, with its
     * data deleted, when the JVM exits: what test classes share so the servers start once per run.
     */
    public static synchronized EmbeddedCloudStack shared() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("tally-cloud-stack");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedCloudStack stack = start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stack.close();
                LocalFiles.deleteTree(dir);
            }, "embedded-cloud-stack-stop"));
            shared = stack;
        }
        return shared;
    }

    private static <T> CompletableFuture<T> startAsync(ExecutorService pool, Path dir, Function<Path, T> start) {
        return CompletableFuture.supplyAsync(() -> start.apply(dir), pool);
    }

    /** The settings that point the {@code cloud} backend at this stack (no namespace, no data directory). */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.putAll(kafka.settings());
        settings.putAll(redis.settings());
        settings.putAll(postgres.settings());
        settings.putAll(s3.settings());
        return settings;
    }

    /**
     * Settings for one engine: this stack, in {@code namespace} (its own topics, keys, schema and prefix; engines
     * that should share data use the same one), with its local spools under {@code dataDir}.
     */
    public Map<String, String> settingsFor(String namespace, Path dataDir) {
        Map<String, String> settings = settings();
        settings.put("tally.cloud.namespace", namespace);
        settings.put("tally.data-dir", dataDir.toString());
        return settings;
    }

    /** A namespace no other caller of this method in this JVM got ({@code t1}, {@code t2}, …). */
    public static String freshNamespace() {
        return "t" + NAMESPACES.incrementAndGet();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedRedis redis() {
        return redis;
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    /** Where the servers keep their data. */
    public Path workDir() {
        return workDir;
    }

    /** Stops every server and deletes its data. */
    @Override
    public void close() {
        Deque<AutoCloseable> up = new ArrayDeque<>(java.util.List.of(s3, postgres, redis, kafka));
        closeAll(up);
    }

    private static void closeAll(Deque<AutoCloseable> servers) {
        RuntimeException first = null;
        while (!servers.isEmpty()) {
            try {
                servers.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
