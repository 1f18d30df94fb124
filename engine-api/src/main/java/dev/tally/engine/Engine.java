package dev.tally.engine;

import dev.tally.api.BackupSummary;
import dev.tally.api.BatchResult;
import dev.tally.api.ConflictException;
import dev.tally.api.CreatedProject;
import dev.tally.api.EngineHealth;
import dev.tally.api.Event;
import dev.tally.api.EventBody;
import dev.tally.api.EventFate;
import dev.tally.api.IngestResult;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.Limits;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.NotFoundException;
import dev.tally.api.NotIdleException;
import dev.tally.api.ParsedEvent;
import dev.tally.api.Principal;
import dev.tally.api.ProjectOperations;
import dev.tally.api.RejectedEvent;
import dev.tally.api.ReplaySummary;
import dev.tally.api.RetentionSummary;
import dev.tally.api.Role;
import dev.tally.api.SchemaVersion;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.api.TallyException;
import dev.tally.api.Violation;
import dev.tally.engine.aggregate.AggregationJob;
import dev.tally.engine.aggregate.AggregatorSettings;
import dev.tally.engine.archive.ArchiveJob;
import dev.tally.engine.retention.RetentionJob;
import dev.tally.engine.rollup.RollupJob;
import dev.tally.engine.rollup.RollupService;
import dev.tally.engine.aggregate.MetricPlan;
import dev.tally.engine.auth.ApiKeys;
import dev.tally.engine.ingest.DuplicateCounts;
import dev.tally.engine.ingest.EventFates;
import dev.tally.engine.ingest.EventJsonParser;
import dev.tally.engine.ingest.IngestPipeline;
import dev.tally.engine.ingest.LimitsChecker;
import dev.tally.engine.query.QueryService;
import dev.tally.engine.schema.SchemaService;
import dev.tally.engine.sql.SqlService;
import dev.tally.spi.Backend;
import dev.tally.spi.Catalog;
import dev.tally.spi.LogPosition;
import dev.tally.spi.StreamRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The engine: wires ingest, schemas, the aggregator and queries onto one {@link Backend}. Created and
 * owned by {@code dev.tally.Tally}. Thread-safe.
 */
public final class Engine implements AutoCloseable {
    public static final String DEFAULT_PROJECT = "default";
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** How often resent events' counts are written to the warehouse (at most; see {@link DuplicateCounts}). */
    private static final Duration DUPLICATE_COUNT_INTERVAL = Duration.ofSeconds(1);

    private final Backend backend;
    private final InstantSource clock;
    private final Limits limits;
    private final EngineSettings settings;
    private final SchemaService schemas;
    private final IngestPipeline ingest;
    private final EventFates fates;
    private final DuplicateCounts duplicateCounts;
    private final AggregationJob aggregator;
    private final QueryService queries;
    private final ApiKeys keys;
    private final StreamRuntime.Handle aggregatorHandle;
    private final ArchiveJob archiver;
    private final StreamRuntime.Handle archiverHandle;
    private final RollupService rollups;
    private final SqlService sql;
    private final RollupJob rollupJob;
    private final StreamRuntime.Handle rollupHandle;
    private final Maintenance maintenance;
    private final RetentionJob retentionJob;
    private final StreamRuntime.Handle retentionHandle;
    private final ExecutorService ingestHelper;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    // Hot-path catalog reads: refreshed every few seconds (other engines' changes arrive), stale while it is down.
    private final Refreshing<String, Boolean> strictCache = new Refreshing<>("project settings", Duration.ofSeconds(5), 100_000);
    private final Refreshing<String, List<MetricDefinition>> metricCache =
            new Refreshing<>("metric definitions", Duration.ofSeconds(5), 100_000);
    private final Refreshing<String, Boolean> knownProjects = new Refreshing<>("projects", Duration.ofSeconds(5), 100_000);
    private volatile boolean closed;

    public Engine(Backend backend, InstantSource clock, Limits limits, EngineSettings settings) {
        this.backend = backend;
        this.clock = clock;
        this.limits = limits;
        this.settings = settings;
        this.schemas = new SchemaService(backend.catalog(), clock);
        this.keys = new ApiKeys(backend.catalog());
        this.ingestHelper = settings.parallelIngest()
                ? Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "tally-ingest-helper");
                    t.setDaemon(true);
                    return t;
                })
                : null;
        this.duplicateCounts = new DuplicateCounts(backend.warehouse(), DUPLICATE_COUNT_INTERVAL, 100_000);
        this.ingest = new IngestPipeline(backend, clock, new LimitsChecker(limits), schemas, settings.dedupTtl(),
                this::isStrict, ingestHelper, duplicateCounts);
        // A backend whose own stream processor aggregates (cloud with tally.flink.mode) makes the aggregator follow it.
        AggregatorSettings aggregation = backend.streams().aggregatesExternally()
                ? settings.aggregator().withRuntime(AggregatorSettings.Runtime.EXTERNAL) : settings.aggregator();
        this.fates = new EventFates(backend, duplicateCounts);
        this.aggregator = new AggregationJob(backend, clock, aggregation, () -> {
            backend.warehouse().trimRejections(settings.rejectedKeep());
            backend.warehouse().trimDuplicates(clock.instant().minus(settings.dedupTtl()));
        });
        this.rollups = new RollupService(backend, this::allMetrics, settings.aggregator().maxCombinations());
        this.queries = new QueryService(backend, this::metric, aggregator::lastFlushTime, settings.cacheTtl(), clock,
                settings.aggregator().retention(), rollups);
        this.sql = new SqlService(backend.warehouse(), backend.objects(), settings.sql());
        backend.catalog().createProject(DEFAULT_PROJECT, clock.instant());
        this.aggregatorHandle = backend.streams().start(
                aggregation.runtime() == AggregatorSettings.Runtime.IN_PROCESS ? aggregator : aggregator.follower());
        this.rollupJob = new RollupJob(backend, rollups, clock, settings.rollupGrace());
        this.rollupHandle = backend.streams().start(rollupJob);
        if (settings.archive().enabled()) {
            this.archiver = new ArchiveJob(backend, clock, settings.archive(), rollupJob::trigger);
            this.archiverHandle = backend.streams().start(archiver);
        } else {
            this.archiver = null;
            this.archiverHandle = null;
        }
        this.maintenance = new Maintenance(backend, clock, settings, limits.maxFutureSkew(), aggregator, archiver != null);
        this.retentionJob = maintenance.retentionJob();
        this.retentionHandle = backend.streams().start(retentionJob);
    }

    public InstantSource clock() {
        return clock;
    }

    public Limits limits() {
        return limits;
    }

    public Backend backend() {
        return backend;
    }

    /** Operations on an existing project. */
    public ProjectOperations project(String projectId) {
        checkOpen();
        // Only existing projects are remembered: one created by another engine is found at once.
        if (projectId == null) {
            throw new NotFoundException("project 'null' does not exist");
        }
        if (!knownProjects.get(projectId, p -> backend.catalog().project(p).isPresent())) {
            knownProjects.invalidate(projectId);
            throw new NotFoundException("project '" + projectId + "' does not exist");
        }
        return new Project(projectId);
    }

    public CreatedProject createProject(String projectId) {
        checkOpen();
        if (projectId == null || !Limits.PROJECT_ID.matcher(projectId).matches()) {
            throw new InvalidRequestException("projectId", "invalid_format",
                    "projectId must match " + Limits.PROJECT_ID.pattern());
        }
        if (!backend.catalog().createProject(projectId, clock.instant())) {
            throw new ConflictException("project '" + projectId + "' already exists");
        }
        Map<Role, String> created = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            created.put(role, keys.create(projectId, role, clock.instant()));
        }
        return new CreatedProject(projectId, created);
    }

    /** Creates one more key for a project (e.g. the server's own admin key), returning the full key. */
    public String createKey(String projectId, Role role) {
        project(projectId);
        return keys.create(projectId, role, clock.instant());
    }

    /** Aggregation progress; see {@link EngineHealth}. */
    public EngineHealth health() {
        Pending oldest;
        synchronized (pending) {
            dropAggregated();
            oldest = pending.peekFirst();
        }
        Instant now = clock.instant();
        Duration lag = oldest == null || now.isBefore(oldest.at()) ? Duration.ZERO : Duration.between(oldest.at(), now);
        Instant lastFlush = aggregator.lastFlushTime();
        String failure = aggregatorHandle.lastFailure().map(Throwable::toString).orElse(null);
        return new EngineHealth(aggregatorHandle.isRunning(), lag, lastFlush, failure);
    }

    /** Remembers where the log ended after an acknowledged append, for {@link #health()}'s lag. */
    private void appended(BatchResult result) {
        if (result.accepted() == 0) {
            return;
        }
        // One sample per 100 ms is plenty for a lag figure, and endPosition() may be a network call (Kafka).
        long now = System.nanoTime();
        if (now - lastLagSample < LAG_SAMPLE_NANOS) {
            return;
        }
        lastLagSample = now;
        LogPosition end;
        try {
            // Spooled appends (the log unreachable) have no position yet; asking would wait for the log.
            if (!backend.eventLog().awaitDelivered(Duration.ZERO)) {
                return;
            }
            end = backend.eventLog().endPosition();
        } catch (RuntimeException e) {
            LOG.debug("no lag sample: {}", e.toString()); // the events are acknowledged; the figure can wait
            return;
        }
        synchronized (pending) {
            dropAggregated();
            if (pending.size() < 100_000) {
                pending.addLast(new Pending(end, clock.instant()));
            }
        }
    }

    /** Forgets appends the aggregator has covered; caller holds the {@code pending} lock. */
    private void dropAggregated() {
        LogPosition flushed = aggregator.flushedPosition();
        while (!pending.isEmpty() && flushed.covers(pending.peekFirst().position())) {
            pending.pollFirst();
        }
    }

    private static final long LAG_SAMPLE_NANOS = 100_000_000L;
    private volatile long lastLagSample = System.nanoTime() - LAG_SAMPLE_NANOS;

    private record Pending(LogPosition position, Instant at) {
    }

    public Optional<Principal> authenticate(String apiKey) {
        return keys.authenticate(apiKey);
    }

    /**
     * Blocks until every event acknowledged before the call is aggregated and visible to queries, archived
     * (and its archive files committed), every hour that is due for a rollup is rolled up, and a retention run
     * that is due has finished.
     *
     * @throws NotIdleException on timeout, naming the job's last failure if it has one
     */
    public void awaitIdle(Duration timeout) {
        checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!backend.eventLog().awaitDelivered(timeout)) {
            throw new NotIdleException("events acknowledged into the local spool (the event log was unreachable) "
                    + "were not delivered to the log within " + timeout);
        }
        LogPosition target = backend.eventLog().endPosition();
        try {
            if (!aggregator.awaitPosition(target, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                String failure = aggregatorHandle.lastFailure().map(t -> "; last aggregator failure: " + t).orElse("");
                throw new NotIdleException("events were not aggregated within " + timeout + failure);
            }
            if (archiver != null && !archiver.awaitPosition(target, Duration.ofNanos(deadline - System.nanoTime()))) {
                String failure = archiverHandle.lastFailure().map(t -> "; last archiver failure: " + t).orElse("");
                throw new NotIdleException("events were not archived within " + timeout + failure);
            }
            if (!rollupJob.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                String failure = rollupHandle.lastFailure().map(t -> "; last rollup failure: " + t).orElse("");
                throw new NotIdleException("due rollups did not finish within " + timeout + failure);
            }
            if (!retentionJob.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                String failure = retentionHandle.lastFailure().map(t -> "; last retention failure: " + t).orElse("");
                throw new NotIdleException("a due retention run did not finish within " + timeout + failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted while waiting for the aggregator", e);
        }
    }

    /** Runs retention now (as the hourly schedule does); see {@code Tally.runRetention()}. */
    public RetentionSummary runRetention() {
        checkOpen();
        return maintenance.runRetention();
    }

    /** Writes a consistent backup while ingest continues; see {@code Tally.backup(Path)}. */
    public BackupSummary backup(Path target) {
        checkOpen();
        return maintenance.backup(target);
    }

    /** Rebuilds the real-time windows from the log; see {@code Tally.replay(Instant)}. */
    public ReplaySummary replay(Instant from) {
        checkOpen();
        return maintenance.replay(from);
    }

    private boolean isStrict(String projectId) {
        return strictCache.get(projectId,
                p -> backend.catalog().project(p).map(Catalog.ProjectRecord::strictSchemas).orElse(false));
    }

    /** Built-in and defined metrics of a project, read fresh from the catalog (for rollups). */
    private List<MetricDefinition> allMetrics(String projectId) {
        List<MetricDefinition> all = new ArrayList<>(MetricPlan.BUILT_INS);
        all.addAll(backend.catalog().metrics(projectId));
        return all;
    }

    private Optional<MetricDefinition> metric(String projectId, String name) {
        for (MetricDefinition b : MetricPlan.BUILT_INS) {
            if (b.name().equals(name)) {
                return Optional.of(b);
            }
        }
        return definedMetrics(projectId).stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The project's defined metrics, read from the catalog at most every few seconds (or after a change here). */
    private List<MetricDefinition> definedMetrics(String projectId) {
        return metricCache.get(projectId, p -> backend.catalog().metrics(p));
    }

    private void checkOpen() {
        if (closed) {
            throw new TallyException("this Tally instance is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (ingestHelper != null) {
                ingestHelper.shutdown();
            }
            retentionJob.shutdown();
            rollupJob.shutdown();
            // Every job finishes its current step at once (their polls overlap), then each is joined in order.
            List<StreamRuntime.Handle> handles = new ArrayList<>(List.of(retentionHandle, rollupHandle));
            if (archiverHandle != null) {
                handles.add(archiverHandle);
            }
            handles.add(aggregatorHandle);
            handles.forEach(StreamRuntime.Handle::requestStop);
            handles.forEach(StreamRuntime.Handle::close);
            duplicateCounts.flush();
            sql.close();
        } finally {
            backend.close();
        }
        LOG.debug("engine closed");
    }

    private static List<ParsedEvent> parsed(List<Event> events) {
        List<ParsedEvent> parsed = new ArrayList<>(events.size());
        for (Event e : events) {
            parsed.add(e == null
                    ? new ParsedEvent(null, null, List.of(new Violation("", "required", "event is null")), null)
                    : ParsedEvent.of(e));
        }
        return parsed;
    }

    private final class Project implements ProjectOperations {
        private final String projectId;

        Project(String projectId) {
            this.projectId = projectId;
        }

        @Override
        public String projectId() {
            return projectId;
        }

        @Override
        public IngestResult ingest(Event event) {
            return ingest(List.of(event)).results().get(0);
        }

        @Override
        public BatchResult ingest(List<Event> events) {
            return ingestParsed(parsed(events));
        }

        @Override
        public BatchResult ingestJson(String json) {
            return ingestParsed(events(json, null));
        }

        @Override
        public EventBody parseJson(String json, Boolean batch) {
            checkOpen();
            return EventJsonParser.parse(json, batch, projectId, limits.maxBatchSize());
        }

        @Override
        public BatchResult ingestParsed(List<ParsedEvent> events) {
            checkOpen();
            BatchResult result = Engine.this.ingest.ingest(projectId, events);
            appended(result);
            return result;
        }

        @Override
        public BatchResult importEvents(List<Event> events) {
            return importParsed(parsed(events));
        }

        @Override
        public BatchResult importJson(String json) {
            return importParsed(events(json, true));
        }

        /** The events of a JSON body; a body that is not events at all is an {@link InvalidRequestException}. */
        private List<ParsedEvent> events(String json, Boolean batch) {
            EventBody body = parseJson(json, batch);
            if (!body.bodyViolations().isEmpty()) {
                throw new InvalidRequestException(body.bodyViolations());
            }
            return body.events();
        }

        @Override
        public BatchResult importParsed(List<ParsedEvent> events) {
            checkOpen();
            if (archiver == null) {
                throw new InvalidRequestException("events", "archive_disabled",
                        "importing needs the archive (tally.archive.enabled=true): backfill is rolled up from it");
            }
            BatchResult result = Engine.this.ingest.ingest(projectId, events, true);
            appended(result);
            if (result.accepted() > 0) {
                archiver.requestFlush();
            }
            return result;
        }

        @Override
        public long rollup(LocalDate day) {
            checkOpen();
            return rollups.rollupDay(projectId, day);
        }

        @Override
        public MetricResult query(MetricQuery query) {
            checkOpen();
            return queries.query(projectId, query);
        }

        @Override
        public SqlResult sql(SqlQuery query) {
            checkOpen();
            return sql.query(projectId, query);
        }

        @Override
        public MetricDefinition defineMetric(MetricDefinition definition) {
            checkOpen();
            if (MetricPlan.isBuiltIn(definition.name())) {
                throw new ConflictException("'" + definition.name() + "' is a built-in metric");
            }
            Optional<MetricDefinition> existing = backend.catalog().metrics(projectId).stream()
                    .filter(m -> m.name().equals(definition.name())).findFirst();
            if (existing.isPresent()) {
                if (existing.get().equals(definition)) {
                    return definition;
                }
                throw new ConflictException("metric '" + definition.name() + "' is already defined differently: "
                        + existing.get());
            }
            backend.catalog().addMetric(projectId, definition);
            metricCache.invalidate(projectId);
            aggregator.metricsChanged();
            // The archive holds the project's history: roll it up again so the new metric covers it too.
            backend.warehouse().resetRollups(projectId);
            rollupJob.trigger();
            return definition;
        }

        @Override
        public List<MetricDefinition> metrics() {
            List<MetricDefinition> all = new ArrayList<>(MetricPlan.BUILT_INS);
            all.addAll(definedMetrics(projectId));
            return all;
        }

        @Override
        public SchemaVersion registerSchema(String eventType, String jsonSchema) {
            checkOpen();
            return schemas.register(projectId, eventType, jsonSchema);
        }

        @Override
        public Optional<SchemaVersion> schema(String eventType) {
            return schemas.latest(projectId, eventType);
        }

        @Override
        public Optional<SchemaVersion> schema(String eventType, int version) {
            return backend.catalog().schemas(projectId, eventType).stream()
                    .filter(s -> s.version() == version).findFirst();
        }

        @Override
        public List<SchemaVersion> schemaVersions(String eventType) {
            return backend.catalog().schemas(projectId, eventType);
        }

        @Override
        public List<String> schemaTypes() {
            return backend.catalog().schemaTypes(projectId);
        }

        @Override
        public void strictSchemas(boolean strict) {
            backend.catalog().setStrictSchemas(projectId, strict);
            strictCache.invalidate(projectId);
        }

        @Override
        public List<RejectedEvent> rejectedEvents(int limit) {
            if (limit < 1 || limit > 10_000) {
                throw new InvalidRequestException("limit", "out_of_range", "limit must be between 1 and 10000");
            }
            return backend.warehouse().rejectedEvents(projectId, limit);
        }

        @Override
        public EventFate event(String eventId) {
            checkOpen();
            return fates.fate(projectId, eventId);
        }
    }

}
