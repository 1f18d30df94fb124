package dev.tally.http;

import dev.tally.api.BatchResult;
import dev.tally.api.IngestResult;
import dev.tally.api.ParsedEvent;
import dev.tally.api.Principal;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Group commit for {@code POST /v1/events}: single-event requests that arrive while a worker is busy wait in a
 * queue, and the next worker turn takes all of them (up to {@value #MAX_COMBINED}) and ingests them as one
 * batch per project — one dedup lookup, one log append, one thread hand-off and one return to each event loop
 * for many requests, where a request per engine call paid each of those alone. Every request still gets its
 * own answer: its own parse errors, 403, 429, rejection, duplicate or acceptance, exactly as if it had been
 * ingested alone; two requests with one event id in a turn are the first accepted and the second a duplicate,
 * as they would be one after the other.
 *
 * <p>Work runs on the {@link EngineExecutor}'s workers: a turn is scheduled when none is running (so a full
 * executor still answers 503 at once, as for every other route), and more run side by side, up to
 * {@code maxTurns}, while requests pile up behind the running ones. At most {@code maxWaiting} requests may
 * wait; beyond that a request is refused with 503 + Retry-After. Thread-safe.
 */
final class SingleEventCombiner {
    /** Requests ingested in one engine call at most (and never more than the engine's batch limit). */
    static final int MAX_COMBINED = 256;
    /** Requests waiting per running turn before another turn starts beside it. */
    private static final int SPAWN_BACKLOG = 32;

    private final ServerState state;
    private final int maxTurns;
    private final int maxWaiting;
    private final int maxCombined;
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicInteger turns = new AtomicInteger();

    /** One request: its routing context (answered on {@code context}) and its key and body. */
    private record Pending(RoutingContext ctx, Context context, Principal principal, String body) {
    }

    /** A request's answer, or why it failed (answered through {@code ctx.fail}). */
    private record Outcome(Pending request, IngestResult result, Throwable failure) {
    }

    SingleEventCombiner(ServerState state, int maxTurns, int maxWaiting, int engineBatchLimit) {
        this.state = state;
        this.maxTurns = Math.max(1, maxTurns);
        this.maxWaiting = Math.max(1, maxWaiting);
        this.maxCombined = Math.max(1, Math.min(MAX_COMBINED, engineBatchLimit));
    }

    /** Queues the request; it is answered on its own context once a worker ingested it. Event loop only. */
    void submit(RoutingContext ctx, Principal principal, String body) {
        if (waitingCount.incrementAndGet() > maxWaiting) {
            waitingCount.decrementAndGet();
            ctx.fail(new RejectedExecutionException("more than " + maxWaiting + " single-event requests waiting"));
            return;
        }
        waiting.add(new Pending(ctx, ctx.vertx().getOrCreateContext(), principal, body));
        int running = turns.get();
        if (running == 0 || (running < maxTurns && waitingCount.get() > SPAWN_BACKLOG * running)) {
            startTurn(running);
        }
    }

    /** Starts a turn if no other caller did meanwhile; a full executor fails what is waiting with 503. */
    private void startTurn(int seen) {
        if (!turns.compareAndSet(seen, seen + 1)) {
            return;
        }
        try {
            state.executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            turns.decrementAndGet();
            if (turns.get() == 0) {
                failWaiting(e);
            }
        }
    }

    private void failWaiting(RejectedExecutionException e) {
        List<Outcome> refused = new ArrayList<>();
        for (Pending p = take(); p != null; p = take()) {
            refused.add(new Outcome(p, null, e));
        }
        deliver(refused);
    }

    private Pending take() {
        Pending p = waiting.poll();
        if (p != null) {
            waitingCount.decrementAndGet();
        }
        return p;
    }

    /** A worker's turn: ingests what waits, batch after batch, until nothing does. */
    private void run() {
        while (true) {
            List<Pending> batch = new ArrayList<>(Math.min(maxCombined, Math.max(1, waitingCount.get())));
            for (Pending p = take(); p != null; p = batch.size() < maxCombined ? take() : null) {
                batch.add(p);
            }
            if (!batch.isEmpty()) {
                List<Outcome> outcomes;
                try {
                    outcomes = ingest(batch);
                } catch (Throwable t) { // ingest answers per request; this is only a guard for the turn count
                    outcomes = new ArrayList<>(batch.size());
                    for (Pending p : batch) {
                        outcomes.add(new Outcome(p, null, t));
                    }
                }
                deliver(outcomes);
                continue;
            }
            turns.decrementAndGet();
            // A request queued after the poll above but before the decrement saw this turn running: look again.
            int running = turns.get();
            if (waiting.isEmpty() || running > 0 || !turns.compareAndSet(running, running + 1)) {
                return;
            }
        }
    }

    private List<Outcome> ingest(List<Pending> batch) {
        List<Outcome> out = new ArrayList<>(batch.size());
        Map<String, List<Pending>> accepted = new LinkedHashMap<>();
        Map<String, List<ParsedEvent>> events = new LinkedHashMap<>();
        for (Pending p : batch) {
            if (p.ctx.response().ended() || p.ctx.response().closed()) {
                continue; // answered already (request timeout) or the client left: nothing to ingest
            }
            try {
                ParsedEvent event = EventRoutes.singleEvent(state, p.principal, p.body);
                if (EventRoutes.looksLikeBatch(event)) {
                    out.add(new Outcome(p, EventRoutes.unexpectedBatch(), null));
                    continue;
                }
                state.limiter.acquireEvents(p.principal, 1);
                accepted.computeIfAbsent(p.principal.projectId(), k -> new ArrayList<>()).add(p);
                events.computeIfAbsent(p.principal.projectId(), k -> new ArrayList<>()).add(event);
            } catch (Throwable t) {
                out.add(new Outcome(p, null, t));
            }
        }
        for (Map.Entry<String, List<Pending>> project : accepted.entrySet()) {
            List<Pending> requests = project.getValue();
            try {
                BatchResult result = state.project(project.getKey()).ingestParsed(events.get(project.getKey()));
                state.metrics.recordIngest(result);
                for (int i = 0; i < requests.size(); i++) {
                    out.add(new Outcome(requests.get(i), result.results().get(i), null));
                }
            } catch (Throwable t) {
                for (Pending p : requests) {
                    out.add(new Outcome(p, null, t));
                }
            }
        }
        return out;
    }

    /** Answers each request on its own context, one hand-off per event loop. */
    private void deliver(List<Outcome> outcomes) {
        Map<Context, List<Outcome>> byContext = new IdentityHashMap<>();
        for (Outcome o : outcomes) {
            byContext.computeIfAbsent(o.request.context, k -> new ArrayList<>()).add(o);
        }
        byContext.forEach((context, answers) -> context.runOnContext(v -> {
            for (Outcome o : answers) {
                RoutingContext ctx = o.request.ctx;
                if (ctx.response().ended() || ctx.response().closed()) {
                    continue;
                }
                try {
                    if (o.failure != null) {
                        ctx.fail(o.failure);
                    } else {
                        EventRoutes.answerOne(state, ctx, o.result);
                    }
                } catch (Throwable t) {
                    ctx.fail(t);
                }
            }
        }));
    }

    /** Requests waiting for a turn (for metrics and tests). */
    int waiting() {
        return waitingCount.get();
    }
}
