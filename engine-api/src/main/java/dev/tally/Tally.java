package dev.tally;

import dev.tally.api.BackupSummary;
import dev.tally.api.BatchResult;
import dev.tally.api.CreatedProject;
import dev.tally.api.EngineHealth;
import dev.tally.api.Event;
import dev.tally.api.EventBody;
import dev.tally.api.EventFate;
import dev.tally.api.IngestResult;
import dev.tally.api.Limits;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
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
import dev.tally.engine.Backends;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineSettings;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An embedded Tally engine. Build one with {@link #builder()}, use it from any thread, {@link #close()} it
 * when done. The methods of {@link ProjectOperations} act on the {@code default} project; use
 * {@link #project(String)} for others. There are no global singletons: each instance owns its backend.
 *
 * <pre>{@code
 * try (Tally tally = Tally.builder().dataDir(Path.of("tally-data")).build()) {
 *     tally.ingest(Event.builder("page_view").userId("u1").build());
 *     tally.awaitIdle();
 * }
 * }</pre>
 */
public final class Tally implements ProjectOperations, AutoCloseable {
    private final Engine engine;
    private final ProjectOperations defaultProject;

    private Tally(Engine engine) {
        this.engine = engine;
        this.defaultProject = engine.project(Engine.DEFAULT_PROJECT);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Operations on an existing project; {@link dev.tally.api.NotFoundException} if there is none. */
    public ProjectOperations project(String projectId) {
        return engine.project(projectId);
    }

    /** Creates a project with one API key per role; the keys are returned once and stored only as hashes. */
    public CreatedProject createProject(String projectId) {
        return engine.createProject(projectId);
    }

    /** Creates an additional key for a project and returns it (shown once). */
    public String createKey(String projectId, Role role) {
        return engine.createKey(projectId, role);
    }

    /** The project and role of an API key; empty when the key is unknown or wrong. */
    public Optional<Principal> authenticate(String apiKey) {
        return engine.authenticate(apiKey);
    }

    /** Blocks until every event acknowledged so far is aggregated and queryable (30 s at most). */
    public void awaitIdle() {
        awaitIdle(Duration.ofSeconds(30));
    }

    public void awaitIdle(Duration timeout) {
        engine.awaitIdle(timeout);
    }

    /** How far aggregation is behind ingestion, and whether it is failing; cheap, for readiness checks. */
    public EngineHealth health() {
        return engine.health();
    }

    public InstantSource clock() {
        return engine.clock();
    }

    public Limits limits() {
        return engine.limits();
    }

    /**
     * Runs retention now, as the hourly schedule ({@code tally.retention.interval}) does: archived raw events
     * older than {@code tally.retention.hot} move to the cold prefix (still queried transparently), those older
     * than {@code tally.retention.raw} are deleted with their {@code events_metadata} rows, aggregates older
     * than {@code tally.retention.aggregates} and windows older than {@code tally.windows.retention} are
     * dropped, and the event log drops what every consumer has and is older than {@code tally.retention.log}.
     * Cutoffs are measured on the engine clock.
     */
    public RetentionSummary runRetention() {
        return engine.runRetention();
    }

    /**
     * Writes a consistent snapshot of the engine's data (catalog, warehouse, event log, archive) into
     * {@code target} while ingest continues (it may pause briefly); restore it with
     * {@link Builder#restore(Path, boolean)}.
     *
     * @param target an absolute directory that does not exist yet or is empty (and, for the local backend, lies
     *               outside the data directory)
     * @throws dev.tally.api.InvalidRequestException for an unusable target
     * @throws dev.tally.api.NotSupportedException when the backend is backed up with its stores' own tools
     */
    public BackupSummary backup(Path target) {
        return engine.backup(target);
    }

    /**
     * Rebuilds the real-time windows from the event log: drops the windows starting at or after {@code from}
     * (moved down to a full hour, and no earlier than the window retention) and re-aggregates them. Answers
     * are the same afterwards for an intact store, and the stored ones again for a damaged one. Returns once
     * the windows are dropped; {@link #awaitIdle()} waits for the re-aggregation.
     *
     * @throws dev.tally.api.InvalidRequestException for a time after the engine clock's now
     */
    public ReplaySummary replay(Instant from) {
        return engine.replay(from);
    }

    /** The backend this engine runs on (for tools and contract tests). */
    public Backend backend() {
        return engine.backend();
    }

    @Override
    public void close() {
        engine.close();
    }

    // ---- the default project ----

    @Override
    public String projectId() {
        return defaultProject.projectId();
    }

    @Override
    public IngestResult ingest(Event event) {
        return defaultProject.ingest(event);
    }

    @Override
    public BatchResult ingest(List<Event> events) {
        return defaultProject.ingest(events);
    }

    @Override
    public BatchResult ingestJson(String json) {
        return defaultProject.ingestJson(json);
    }

    @Override
    public EventBody parseJson(String json, Boolean batch) {
        return defaultProject.parseJson(json, batch);
    }

    @Override
    public BatchResult ingestParsed(List<ParsedEvent> events) {
        return defaultProject.ingestParsed(events);
    }

    @Override
    public BatchResult importEvents(List<Event> events) {
        return defaultProject.importEvents(events);
    }

    @Override
    public BatchResult importJson(String json) {
        return defaultProject.importJson(json);
    }

    @Override
    public BatchResult importParsed(List<ParsedEvent> events) {
        return defaultProject.importParsed(events);
    }

    @Override
    public long rollup(java.time.LocalDate day) {
        return defaultProject.rollup(day);
    }

    @Override
    public MetricResult query(MetricQuery query) {
        return defaultProject.query(query);
    }

    @Override
    public SqlResult sql(SqlQuery query) {
        return defaultProject.sql(query);
    }

    @Override
    public MetricDefinition defineMetric(MetricDefinition definition) {
        return defaultProject.defineMetric(definition);
    }

    @Override
    public List<MetricDefinition> metrics() {
        return defaultProject.metrics();
    }

    @Override
    public SchemaVersion registerSchema(String eventType, String jsonSchema) {
        return defaultProject.registerSchema(eventType, jsonSchema);
    }

    @Override
    public Optional<SchemaVersion> schema(String eventType) {
        return defaultProject.schema(eventType);
    }

    @Override
    public Optional<SchemaVersion> schema(String eventType, int version) {
        return defaultProject.schema(eventType, version);
    }

    @Override
    public List<SchemaVersion> schemaVersions(String eventType) {
        return defaultProject.schemaVersions(eventType);
    }

    @Override
    public List<String> schemaTypes() {
        return defaultProject.schemaTypes();
    }

    @Override
    public void strictSchemas(boolean strict) {
        defaultProject.strictSchemas(strict);
    }

    @Override
    public List<RejectedEvent> rejectedEvents(int limit) {
        return defaultProject.rejectedEvents(limit);
    }

    @Override
    public EventFate event(String eventId) {
        return defaultProject.event(eventId);
    }

    /**
     * Every {@code tally.*} key the engine and the named backend read; a key ending in {@code .} stands for every
     * key under it. Tools use it to refuse a misspelt setting before opening anything.
     *
     * @throws dev.tally.api.ConfigurationException for an unknown backend
     */
    public static java.util.Set<String> settingKeys(String backend) {
        java.util.Set<String> keys = new java.util.TreeSet<>(EngineSettings.KEYS);
        keys.addAll(Backends.find(backend, Tally.class.getClassLoader()).settingKeys());
        return java.util.Collections.unmodifiableSet(keys);
    }

    /**
     * Configures a {@link Tally}. Settings use {@code tally.*} keys (see {@code EngineSettings} and the
     * backend's documentation); typed setters cover the common ones. Not thread-safe.
     */
    public static final class Builder {
        private String backend = "local";
        private InstantSource clock = InstantSource.system();
        private Limits limits = Limits.defaults();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private ClassLoader classLoader = Tally.class.getClassLoader();

        private Builder() {
        }

        /** Backend name: {@code local} (default) or {@code cloud}. */
        public Builder backend(String name) {
            this.backend = Objects.requireNonNull(name, "backend");
            return this;
        }

        /** Where the local backend keeps its files ({@code tally.data-dir}). */
        public Builder dataDir(Path dir) {
            return setting("tally.data-dir", dir.toString());
        }

        /** The engine's only source of "now": windows, future-timestamp checks, TTLs, retention. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public Builder settings(Map<String, String> values) {
            settings.putAll(values);
            return this;
        }

        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /**
         * Restores a backup written by {@link Tally#backup(Path)} into the storage these settings name (for the
         * local backend, {@code tally.data-dir}), which no engine may have open. An engine built afterwards
         * resumes from the backup, replaying the log from its checkpoints.
         *
         * @param force replace data that the storage already holds (otherwise refused)
         * @throws dev.tally.api.ConfigurationException when the storage is in use or holds data, or the backup
         *                                              is unfinished or from another backend
         */
        public BackupSummary restore(Path backupDir, boolean force) {
            return Backends.find(backend, classLoader).restore(backupDir, BackendConfig.of(settings, clock), force);
        }

        /**
         * Opens the backend and starts the aggregator.
         *
         * @throws dev.tally.api.ConfigurationException for an unknown backend or an invalid setting
         */
        public Tally build() {
            BackendConfig config = BackendConfig.of(settings, clock);
            EngineSettings engineSettings = EngineSettings.from(config);
            Backend opened = Backends.find(backend, classLoader).open(config);
            try {
                return new Tally(new Engine(opened, clock, limits, engineSettings));
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
        }
    }
}
