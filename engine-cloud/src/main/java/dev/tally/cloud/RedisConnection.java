package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The cloud backend's link to Redis, shared by the dedup index, the window store and the result cache.
 *
 * <p>Settings: {@code tally.redis.uri} (required; {@code redis://[:password@]host:port[/db]} or {@code rediss://}
 * for TLS) and {@code tally.redis.timeout} (default 5s, the longest any one call waits for Redis). The URI's
 * password is never logged: logs and errors name the endpoint as {@link #endpoint()}.
 *
 * <p>One multiplexed connection carries every ordinary command: Lettuce connections are thread-safe and
 * pipeline whatever several threads send, so one connection serves a whole engine. Transactions
 * ({@code WATCH}/{@code MULTI}/{@code EXEC}) are the exception: {@code MULTI} would sweep other threads'
 * commands into the transaction, so they run on a second, dedicated connection, one transaction at a time
 * ({@link #transaction}). Both use the byte-array codec: keys are UTF-8 text, values are raw bytes
 * (aggregates, cached results).
 *
 * <p>Every key this backend stores starts with {@link #key(String) the namespace prefix} ({@code NAMESPACE:}, or
 * nothing without a namespace), so one Redis can hold several independent deployments.
 *
 * <p>Opening checks that Redis answers ({@code PING}) and fails at once with the endpoint in the message if it
 * does not. After that, a lost connection is re-established in the background; calls made while it is down fail
 * at once (calls in flight when it drops, after the timeout) with a {@link CloudStorageException}. Thread-safe.
 */
final class RedisConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);
    static final String URI = "tally.redis.uri";
    static final String TIMEOUT = "tally.redis.timeout";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String endpoint;
    private final String prefix;
    private final Duration timeout;
    private final StatefulRedisConnection<byte[], byte[]> shared;
    private final ReentrantLock transactionLock = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicLong roundTrips = new java.util.concurrent.atomic.AtomicLong();
    private StatefulRedisConnection<byte[], byte[]> transactional;

    private RedisConnection(ClientResources resources, RedisClient client, RedisURI uri, String endpoint, String prefix, Duration timeout,
                            StatefulRedisConnection<byte[], byte[]> shared) {
        this.resources = resources;
        this.client = client;
        this.uri = uri;
        this.endpoint = endpoint;
        this.prefix = prefix;
        this.timeout = timeout;
        this.shared = shared;
    }

    /**
     * Connects to the Redis that {@code tally.redis.uri} names and checks that it answers.
     *
     * @param namespace the backend's namespace ({@code ""} for none): every key gets {@code namespace:} in front
     * @throws ConfigurationException when the URI or timeout setting is missing or malformed
     * @throws CloudStorageException when Redis cannot be reached
     */
    static RedisConnection open(BackendConfig config, String namespace) {
        Duration timeout = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigurationException("setting '" + TIMEOUT + "' must be positive, got " + timeout);
        }
        RedisURI uri = parseUri(config.required(URI));
        uri.setTimeout(timeout);
        String endpoint = endpoint(uri);
        String prefix = namespace.isEmpty() ? "" : namespace + ":";

        // Reconnect attempts back off to at most 200 ms (Lettuce's default, 30 s, would leave the engine failing
        // for up to half a minute after Redis is back; calls are rejected while disconnected, so this bounds how long
        // they fail after it returns). Two I/O threads are plenty for two connections.
        ClientResources resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), Duration.ofMillis(200), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                // While the connection is down, fail calls at once instead of queueing them for the timeout: a
                // query then falls back to the archive in milliseconds, and ingest answers 503 without a wait.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        long started = System.nanoTime();
        StatefulRedisConnection<byte[], byte[]> shared;
        try {
            shared = client.connect(ByteArrayCodec.INSTANCE);
            shared.sync().ping();
        } catch (RedisException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new CloudStorageException("cannot reach Redis at " + endpoint + " (setting '" + URI + "'): "
                    + rootMessage(e), e);
        }
        LOG.info("connected to Redis at {} in {} ms{}", endpoint,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                prefix.isEmpty() ? "" : ", keys under '" + prefix + "'");
        return new RedisConnection(resources, client, uri, endpoint, prefix, timeout, shared);
    }

    private static RedisURI parseUri(String raw) {
        if (!raw.startsWith("redis://") && !raw.startsWith("rediss://")) {
            // never echo the value: it may carry a password
            throw new ConfigurationException("setting '" + URI + "' must be a redis:// or rediss:// URI");
        }
        try {
            return RedisURI.create(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("setting '" + URI + "' is not a valid Redis URI: expected "
                    + "redis://[:password@]host[:port][/database] or rediss://…");
        }
    }

    /** The endpoint as logs may show it: scheme, host, port and database, never credentials. */
    private static String endpoint(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
                + (uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    /** Where Redis is, safe to log. */
    String endpoint() {
        return endpoint;
    }

    /** The longest any one call waits. */
    Duration timeout() {
        return timeout;
    }

    /** The full key for {@code suffix}: the namespace prefix, then the suffix, as UTF-8. */
    byte[] key(String suffix) {
        return (prefix + suffix).getBytes(StandardCharsets.UTF_8);
    }

    /** Commands on the shared connection; pipelined when the caller sends several before awaiting them. */
    RedisAsyncCommands<byte[], byte[]> commands() {
        return shared.async();
    }

    /** Waits for one reply (one round trip), up to the timeout; failures become {@link CloudStorageException}s naming the endpoint. */
    <T> T await(RedisFuture<T> future) {
        roundTrips.incrementAndGet();
        return awaitPipelined(future);
    }

    /** Counts one round trip for a pipeline whose replies the caller then collects with {@link #awaitPipelined}. */
    void countRoundTrip() {
        roundTrips.incrementAndGet();
    }

    /** Requests this connection has waited for, a pipeline counting once (for benchmarks and metrics). */
    long roundTrips() {
        return roundTrips.get();
    }

    /** Waits for one reply of a pipeline already counted ({@link #countRoundTrip}), up to the timeout. */
    <T> T awaitPipelined(RedisFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new CloudStorageException("interrupted while waiting for Redis at " + endpoint, e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CloudStorageException("Redis at " + endpoint + " did not answer within " + timeout
                    + " (setting '" + TIMEOUT + "')", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /** Waits for every reply of a pipeline, in order, and returns them. */
    <T> List<T> awaitAll(List<RedisFuture<T>> futures) {
        roundTrips.incrementAndGet();
        return futures.stream().map(this::awaitPipelined).toList();
    }

    /** A Redis failure as this backend reports it; a missing script stays recognisable for a reload. */
    RuntimeException failure(Throwable cause) {
        if (cause instanceof RedisNoScriptException noScript) {
            return noScript;
        }
        if (cause instanceof CloudStorageException cse) {
            return cse;
        }
        return new CloudStorageException("Redis at " + endpoint + " failed: " + rootMessage(cause), cause);
    }

    /**
     * Runs one optimistic transaction on the dedicated connection. {@code prepare} may {@code WATCH} keys and read
     * them (awaiting its reads); it returns the writes to make, or {@code null} when there is nothing to write
     * (its watches are then dropped). The writes are queued between {@code MULTI} and {@code EXEC} and sent in one
     * flush. When a watched key changed before {@code EXEC}, Redis discards the transaction and {@code prepare}
     * runs again, up to a few times.
     *
     * <p>Transactions run one at a time per backend, and never see other threads' commands.
     */
    void transaction(Function<RedisAsyncCommands<byte[], byte[]>, Consumer<RedisAsyncCommands<byte[], byte[]>>> prepare) {
        transactionLock.lock();
        try {
            StatefulRedisConnection<byte[], byte[]> connection = transactionalConnection();
            RedisAsyncCommands<byte[], byte[]> tx = connection.async();
            for (int attempt = 1; ; attempt++) {
                try {
                    Consumer<RedisAsyncCommands<byte[], byte[]>> writes = prepare.apply(tx);
                    if (writes == null) {
                        await(tx.unwatch());
                        return;
                    }
                    RedisFuture<TransactionResult> exec;
                    connection.setAutoFlushCommands(false);
                    try {
                        tx.multi();
                        writes.accept(tx);
                        exec = tx.exec();
                    } finally {
                        connection.flushCommands();
                        connection.setAutoFlushCommands(true);
                    }
                    if (!await(exec).wasDiscarded()) {
                        return;
                    }
                } catch (RuntimeException e) {
                    resetTransaction(tx);
                    throw e;
                }
                if (attempt == 10) {
                    throw new CloudStorageException("Redis at " + endpoint + ": a transaction kept conflicting with "
                            + "concurrent writers; gave up after " + attempt + " attempts");
                }
                LOG.debug("Redis transaction conflicted with a concurrent writer, retrying (attempt {})", attempt);
            }
        } finally {
            transactionLock.unlock();
        }
    }

    /** After a failure half-way through a transaction, leaves the connection outside any MULTI or WATCH. */
    private void resetTransaction(RedisAsyncCommands<byte[], byte[]> tx) {
        try {
            RedisFuture<String> discard = tx.discard();
            discard.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // not in MULTI (ERR DISCARD without MULTI) or the connection is down: either way nothing is pending
        }
        try {
            tx.unwatch().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // the connection is down; a reconnect starts without watches
        }
    }

    private StatefulRedisConnection<byte[], byte[]> transactionalConnection() {
        if (transactional == null || !transactional.isOpen()) {
            try {
                transactional = client.connect(ByteArrayCodec.INSTANCE, uri);
            } catch (RedisException e) {
                throw new CloudStorageException("cannot reach Redis at " + endpoint + ": " + rootMessage(e), e);
            }
        }
        return transactional;
    }

    @Override
    public void close() {
        transactionLock.lock();
        try {
            if (transactional != null) {
                transactional.close();
            }
        } finally {
            transactionLock.unlock();
        }
        shared.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        LOG.debug("closed Redis connection to {}", endpoint);
    }
}
