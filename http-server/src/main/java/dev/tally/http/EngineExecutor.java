package dev.tally.http;

import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs blocking engine calls (disk, H2, the event log) off the event loop, on a fixed pool with a bounded
 * queue: when the queue is full a request fails at once with {@link RejectedExecutionException} (answered
 * 503 + Retry-After) instead of piling up. Results are handed back on the request's own Vert.x context.
 * Thread-safe.
 */
final class EngineExecutor {
    private final ThreadPoolExecutor pool;

    EngineExecutor(int threads, int queueCapacity) {
        BlockingQueue<Runnable> queue = queueCapacity == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(queueCapacity);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "tally-http-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code work} on a worker, then {@code onSuccess} with its result on the request's context; a
     * failure (or a full queue) goes to {@code ctx.fail}. Nothing runs if the answer was already sent, e.g.
     * by the request timeout.
     */
    <T> void run(RoutingContext ctx, Callable<T> work, Consumer<T> onSuccess) {
        Context context = ctx.vertx().getOrCreateContext();
        try {
            pool.execute(() -> {
                T result = null;
                Throwable failure = null;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    failure = t;
                }
                T r = result;
                Throwable f = failure;
                context.runOnContext(v -> {
                    if (ctx.response().ended() || ctx.response().closed()) {
                        return;
                    }
                    if (f != null) {
                        ctx.fail(f);
                        return;
                    }
                    try {
                        onSuccess.accept(r);
                    } catch (Throwable t) {
                        ctx.fail(t);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            ctx.fail(e);
        }
    }

    /** Runs a task on the pool as any request would (tests use it to occupy the workers). */
    void execute(Runnable task) {
        pool.execute(task);
    }

    int queued() {
        return pool.getQueue().size();
    }

    int active() {
        return pool.getActiveCount();
    }

    /** Stops taking work and waits for queued and running calls to finish; {@code false} on timeout. */
    boolean drain(Duration timeout) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
