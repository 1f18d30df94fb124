package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.ConfigurationException;
import dev.tally.api.TallyException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Serves one {@link Tally} over HTTP (the v1 contract of DESIGN.md) with Vert.x Web.
 *
 * <pre>{@code
 * TallyServer server = TallyServer.builder(tally).settings(ServerSettings.of(Map.of("tally.admin-key", "s3cret"))).build();
 * int port = server.start(8080);      // 0 = any free port
 * ...
 * server.stop();                      // graceful: drains in-flight requests, then closes the Tally
 * }</pre>
 *
 * <p>Engine calls block (disk, H2, the event log), so they run on a bounded worker pool; the event loop only
 * parses HTTP and writes answers. {@link #stop()} stops accepting connections, lets every in-flight request
 * finish and be answered, waits for the engine calls still running, and only then closes the Tally (when
 * the server owns it): an event acknowledged with 2xx is durable in the log before the answer is written,
 * and the log is closed only after every append has returned.
 *
 * <p>Thread-safe. {@link #start} and {@link #stop} block and must not be called on a Vert.x thread.
 */
public final class TallyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TallyServer.class);

    private enum State { NEW, RUNNING, STOPPED }

    private final Tally tally;
    private final ServerSettings settings;
    private final InstantSource clock;
    private final boolean closeTally;
    private final ServerMetrics metrics;
    private ServerState state;
    private Vertx vertx;
    private final List<HttpServer> http = new ArrayList<>();
    private int port = -1;
    private State lifecycle = State.NEW;

    private TallyServer(Builder b) {
        this.tally = b.tally;
        this.settings = b.settings;
        this.clock = b.clock != null ? b.clock : b.tally.clock();
        this.closeTally = b.closeTallyOnStop;
        this.settings.validate();
        this.metrics = new ServerMetrics();
    }

    public static Builder builder(Tally tally) {
        return new Builder(tally);
    }

    /**
     * Listens on {@code port} ({@code 0} = any free port) of {@code tally.http.host} and returns the bound port.
     *
     * @throws ConfigurationException when the port cannot be bound
     * @throws IllegalStateException  when started twice
     */
    public synchronized int start(int port) {
        if (lifecycle != State.NEW) {
            throw new IllegalStateException("a TallyServer starts once; it is " + lifecycle);
        }
        checkNotOnVertxThread();
        vertx = Vertx.vertx(new VertxOptions().setFileSystemOptions(
                new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        state = new ServerState(tally, settings, clock, metrics);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(port)
                .setCompressionSupported(true)
                .setDecompressionSupported(false);
        // One server instance per event loop, all on one port: Vert.x hands each new connection to the next
        // instance, so requests are read and answered on every core (a single instance runs on one event loop).
        Router router = Routes.build(vertx, state);
        int loops = settings.eventLoops();
        try {
            for (int i = 0; i < loops; i++) {
                // each in a verticle of its own, so on an event loop of its own
                // the same options for all: Vert.x shares one listening socket among them (a negative port is its
                // way to share one random port)
                HttpServer server = vertx.createHttpServer(new HttpServerOptions(options).setPort(port == 0 ? -1 : port))
                        .requestHandler(router)
                        .invalidRequestHandler(TallyServer::invalidRequest);
                http.add(server);
                await(vertx.deployVerticle(new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        return server.listen();
                    }
                }), Duration.ofSeconds(30));
                if (i > 0 && server.actualPort() != this.port) {
                    throw new TallyException("event loop " + i + " listens on port " + server.actualPort()
                            + ", not the shared " + this.port);
                }
                this.port = server.actualPort();
            }
        } catch (RuntimeException e) {
            await(vertx.close(), Duration.ofSeconds(10));
            try {
                state.executor.drain(Duration.ofSeconds(1));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            metrics.close();
            lifecycle = State.STOPPED;
            this.port = -1;
            throw new ConfigurationException("could not listen on " + settings.host() + ":" + port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        lifecycle = State.RUNNING;
        LOG.info("Tally HTTP server listening on {}:{} ({} event loops)", settings.host(), this.port, loops);
        return this.port;
    }

    /** The bound port; -1 before {@link #start}. */
    public synchronized int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return lifecycle == State.RUNNING;
    }

    /** The server's meters (the ones {@code GET /metrics} exposes). */
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /**
     * Graceful stop: refuses new work (503, {@code /ready} turns 503), closes the listening socket, waits up to
     * {@code tally.http.shutdown-timeout} for in-flight requests to be answered and for running engine calls to
     * return, then closes the Tally if this server owns it. Idempotent.
     */
    public synchronized void stop() {
        if (lifecycle == State.STOPPED) {
            return;
        }
        if (lifecycle == State.NEW) {
            lifecycle = State.STOPPED;
            closeEngine();
            metrics.close();
            return;
        }
        checkNotOnVertxThread();
        Duration timeout = settings.shutdownTimeout();
        long started = System.nanoTime();
        state.draining.set(true);
        LOG.info("stopping: draining {} in-flight requests", state.inflight.get());
        try {
            List<Future<Void>> shutdowns = new ArrayList<>();
            for (HttpServer server : http) {
                shutdowns.add(server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            await(Future.all(shutdowns).mapEmpty(), timeout.plusSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("HTTP shutdown did not complete cleanly: {}", e.toString());
        }
        try {
            Duration left = timeout.minusNanos(System.nanoTime() - started);
            if (!state.executor.drain(left.isNegative() ? Duration.ofSeconds(1) : left)) {
                LOG.warn("engine calls still running after {}; closing anyway", timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closeEngine();
        } finally {
            try {
                await(vertx.close(), Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("Vert.x did not close cleanly: {}", e.toString());
            }
            metrics.close();
            lifecycle = State.STOPPED;
            LOG.info("stopped after {} ms", (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The single-event combiner (tests watch requests wait in it). */
    SingleEventCombiner combiner() {
        return state.combiner;
    }

    /** The worker pool (tests occupy it to observe overload answers). */
    EngineExecutor executor() {
        return state.executor;
    }

    /** HTTP that could not even be decoded (bad request line, huge headers): the same JSON error shape. */
    private static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        String kind = cause == null ? "" : cause.getClass().getSimpleName();
        int status = kind.contains("TooLongHttpLine") ? 414 : kind.contains("TooLongHttpHeader") ? 431 : 400;
        String code = status == 414 ? "uri_too_long" : status == 431 ? "headers_too_large" : "bad_request";
        String body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"the request is not valid HTTP\",\"details\":[]}}";
        request.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(body)
                .onComplete(v -> request.connection().close());
    }

    private void closeEngine() {
        if (closeTally) {
            tally.close();
        }
    }

    private static void checkNotOnVertxThread() {
        if (Context.isOnVertxThread()) {
            throw new IllegalStateException("TallyServer.start/stop block: call them off Vert.x threads");
        }
    }

    private static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted", e);
        } catch (ExecutionException e) {
            throw new TallyException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TallyException("timed out after " + timeout, e);
        }
    }

    /** Configures a {@link TallyServer}; not thread-safe. */
    public static final class Builder {
        private final Tally tally;
        private ServerSettings settings = ServerSettings.defaults();
        private InstantSource clock;
        private boolean closeTallyOnStop = true;

        private Builder(Tally tally) {
            this.tally = Objects.requireNonNull(tally, "tally");
        }

        public Builder settings(ServerSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The clock of rate limits and the key cache; the Tally's clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link #stop()} closes the Tally (default {@code true}: the server owns it). */
        public Builder closeTallyOnStop(boolean close) {
            this.closeTallyOnStop = close;
            return this;
        }

        /** @throws ConfigurationException for an invalid setting */
        public TallyServer build() {
            return new TallyServer(this);
        }
    }
}
