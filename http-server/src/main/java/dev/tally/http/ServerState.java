package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.ProjectOperations;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** What every route needs: the engine and the server's shared parts. Thread-safe. */
final class ServerState {
    final Tally tally;
    final ServerSettings settings;
    final InstantSource clock;
    final EngineExecutor executor;
    final SingleEventCombiner combiner;
    final ErrorResponses errors;
    final RateLimiter limiter;
    final Authenticator auth;
    final ServerMetrics metrics;
    final AtomicBoolean draining = new AtomicBoolean();
    final AtomicInteger inflight = new AtomicInteger();
    private final Map<String, ProjectOperations> projects = new ConcurrentHashMap<>();

    ServerState(Tally tally, ServerSettings settings, InstantSource clock, ServerMetrics metrics) {
        this.tally = tally;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.executor = new EngineExecutor(settings.workerThreads(), settings.queueCapacity());
        this.combiner = new SingleEventCombiner(this, settings.workerThreads() / 2,
                Math.max(SingleEventCombiner.MAX_COMBINED, settings.queueCapacity() * 16), tally.limits().maxBatchSize());
        this.errors = new ErrorResponses(settings.retryAfter(), settings.maxBodyBytes(), draining::get);
        this.limiter = new RateLimiter(settings, clock);
        this.auth = new Authenticator(tally, settings, clock);
        metrics.bindWorkers(executor, combiner, inflight::get);
        metrics.bindEngine(tally);
    }

    /** The key's project (blocking on first use: the engine checks that it exists). */
    ProjectOperations project(String projectId) {
        ProjectOperations p = projects.get(projectId);
        if (p == null) {
            p = tally.project(projectId);
            projects.put(projectId, p);
        }
        return p;
    }
}
