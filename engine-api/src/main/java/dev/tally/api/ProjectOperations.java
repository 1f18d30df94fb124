package dev.tally.api;

import java.util.List;
import java.util.Optional;

/**
 * Everything a caller can do within one project. Implementations are thread-safe.
 *
 * <p>Ingest methods never throw for bad input: every problem is reported in the result. They throw only
 * when the engine itself cannot accept events ({@link UnableToAppendException}, {@link TallyException}).
 */
public interface ProjectOperations {

    String projectId();

    /** Validates, deduplicates and durably appends one event. */
    IngestResult ingest(Event event);

    /** Ingests a batch with one durable log write (group commit); results are in submission order. */
    BatchResult ingest(List<Event> events);

    /**
     * Ingests JSON as sent over HTTP: one event object, or {@code {"events":[...]}}. Malformed JSON or
     * fields become rejections with a path and a reason.
     */
    BatchResult ingestJson(String json);

    /**
     * Reads a JSON body into events without ingesting them: {@code batch} {@code true} for
     * {@code {"events":[...]}}, {@code false} for one event object, {@code null} to let the shape decide.
     * Never throws for bad input.
     */
    EventBody parseJson(String json, Boolean batch);

    /** Ingests what {@link #parseJson} read (every limit and the schema still apply); one durable write. */
    BatchResult ingestParsed(List<ParsedEvent> events);

    /**
     * Imports historical events (backfill): validated and deduplicated like any ingest, each with an explicit
     * timestamp, then archived and rolled up — they bypass the real-time windows, so they are never "late".
     * The affected hours are rolled up within seconds of the archive committing them.
     */
    BatchResult importEvents(List<Event> events);

    /** {@link #importEvents} for a JSON body {@code {"events":[...]}}. */
    BatchResult importJson(String json);

    /** {@link #importEvents} for what {@link #parseJson} read. */
    BatchResult importParsed(List<ParsedEvent> events);

    /**
     * Rolls up one UTC day of this project from its archived events now (what {@code tally rollup --day}
     * does); returns how many events were read. Idempotent: it replaces the day's rows.
     */
    long rollup(java.time.LocalDate day);

    MetricResult query(MetricQuery query);

    /**
     * Runs one read-only SQL statement over this project's archived raw events (the table {@code events}); see
     * {@link SqlQuery} and {@link SqlResult}. Events are visible once archived ({@code awaitIdle()} in tests).
     *
     * @throws InvalidRequestException a refused or failing statement, or one that ran too long
     *                                 ({@link QueryTimeoutException})
     * @throws OverloadedException     too many statements are running; retry later
     */
    SqlResult sql(SqlQuery query);

    /** Defines a metric; defining an identical one again is a no-op, a different one under the same name is a {@link ConflictException}. */
    MetricDefinition defineMetric(MetricDefinition definition);

    /** Built-in metrics ({@code event_count}, {@code unique_users}) followed by defined ones. */
    List<MetricDefinition> metrics();

    /**
     * Registers a JSON Schema for the {@code properties} of an event type. The seed's per-property
     * {@code "required": true} form is accepted and normalized. An identical schema returns the current
     * version; an incompatible one throws {@link SchemaConflictException}.
     */
    SchemaVersion registerSchema(String eventType, String jsonSchema);

    Optional<SchemaVersion> schema(String eventType);

    Optional<SchemaVersion> schema(String eventType, int version);

    List<SchemaVersion> schemaVersions(String eventType);

    /** Event types with a registered schema. */
    List<String> schemaTypes();

    /** When on, events whose type has no registered schema are rejected. */
    void strictSchemas(boolean strict);

    /** Most recent rejected and late events first. */
    List<RejectedEvent> rejectedEvents(int limit);

    /**
     * What became of an event id: accepted (with the stored event once archived), duplicate (with how many copies
     * were refused), rejected (with the violations), late, or unknown; see {@link EventFate}. Reflects what the
     * background jobs have done so far: call {@code awaitIdle()} first to see lateness and the archived event.
     *
     * @throws InvalidRequestException for a blank or over-long id
     */
    EventFate event(String eventId);
}
