package dev.tally.http;

import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The request timeout (503) without a timer per request. Vert.x's {@code TimeoutHandler} schedules and cancels
 * a timer for every request, a priority-queue insert and removal plus a map entry on the event loop, which was
 * about 7 % of the event loop's time under single-event load. Here every event loop keeps its requests in
 * arrival order — which, with one timeout for all, is deadline order — and a periodic sweep (a tenth of the
 * timeout, between 10 ms and 1 s) fails the expired ones still unanswered. A request's end only marks its
 * entry, dropping the reference to the request. Not thread-safe: one per event loop.
 */
final class RequestDeadlines {
    private final long timeoutNanos;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    /** A request and when it times out; {@code ctx} is cleared when the request ends. */
    static final class Entry {
        private RoutingContext ctx;
        private final long deadline;

        private Entry(RoutingContext ctx, long deadline) {
            this.ctx = ctx;
            this.deadline = deadline;
        }

        /** The request ended: nothing left to time out. */
        void done() {
            ctx = null;
        }
    }

    private RequestDeadlines(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** The deadlines of the calling event loop, created (with its sweep) on first use. */
    static RequestDeadlines ofCurrentLoop(RoutingContext ctx, Duration timeout, ThreadLocal<RequestDeadlines> perLoop) {
        RequestDeadlines d = perLoop.get();
        if (d == null) {
            d = new RequestDeadlines(timeout);
            perLoop.set(d);
            long period = Math.max(10, Math.min(1000, timeout.toMillis() / 10));
            RequestDeadlines sweeper = d;
            ctx.vertx().setPeriodic(period, id -> sweeper.sweep(System.nanoTime()));
        }
        return d;
    }

    /** Tracks a request that starts now. */
    Entry track(RoutingContext ctx) {
        Entry e = new Entry(ctx, System.nanoTime() + timeoutNanos);
        entries.addLast(e);
        return e;
    }

    /** Drops ended requests from the head and answers 503 to the expired ones still running. */
    void sweep(long now) {
        for (Entry head = entries.peekFirst(); head != null; head = entries.peekFirst()) {
            RoutingContext ctx = head.ctx;
            if (ctx != null && head.deadline - now > 0) {
                return; // every later entry has a later deadline
            }
            entries.pollFirst();
            if (ctx != null) {
                head.done();
                if (!ctx.response().ended() && !ctx.response().closed()) {
                    ctx.fail(503);
                }
            }
        }
    }
}
