package dev.tally.engine.ingest;

import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.IngestResult;
import dev.tally.api.ParsedEvent;
import dev.tally.api.RejectedEvent;
import dev.tally.api.TallyException;
import dev.tally.api.UnableToAppendException;
import dev.tally.api.Violation;
import dev.tally.engine.codec.EventCodec;
import dev.tally.engine.json.Json;
import dev.tally.engine.schema.SchemaService;
import dev.tally.spi.Backend;
import dev.tally.spi.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * The ingest path: limits, schema validation, dedup, one durable append per batch. Answers every event;
 * keeps every rejection. Thread-safe.
 */
public final class IngestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);
    private static final int PARALLEL_THRESHOLD = 256;

    private final Backend backend;
    private final InstantSource clock;
    private final LimitsChecker limits;
    private final SchemaService schemas;
    private final Duration dedupTtl;
    private final Predicate<String> strictProject;
    private final Executor parallel;
    private final DuplicateCounts duplicateCounts;

    /**
     * @param parallel where the second half of a large batch is checked and encoded while the calling thread
     *                 does the first; {@code null} to do everything on the calling thread
     */
    public IngestPipeline(Backend backend, InstantSource clock, LimitsChecker limits, SchemaService schemas,
                          Duration dedupTtl, Predicate<String> strictProject, Executor parallel,
                          DuplicateCounts duplicateCounts) {
        this.parallel = parallel;
        this.duplicateCounts = duplicateCounts;
        this.backend = backend;
        this.clock = clock;
        this.limits = limits;
        this.schemas = schemas;
        this.dedupTtl = dedupTtl;
        this.strictProject = strictProject;
    }

    /**
     * Ingests parsed events for a project. Events without a timestamp get the clock's now.
     *
     * @throws UnableToAppendException when the log refused the batch (nothing of it was acknowledged)
     */
    public BatchResult ingest(String projectId, List<ParsedEvent> batch) {
        return ingest(projectId, batch, false);
    }

    /**
     * Ingests parsed events; {@code imported} marks a backfill: every event needs an explicit timestamp, and
     * the log record says the event is for the archive and rollups, not the real-time windows.
     */
    public BatchResult ingest(String projectId, List<ParsedEvent> batch, boolean imported) {
        Instant now = clock.instant();
        int n = batch.size();
        IngestResult[] results = new IngestResult[n];
        List<RejectedEvent> rejections = new ArrayList<>(0);
        List<String> duplicates = new ArrayList<>(0);
        List<Integer> candidates = new ArrayList<>(n);
        List<byte[]> encoded = new ArrayList<>(n);
        List<String> ids = new ArrayList<>(n);
        Set<String> seenInBatch = new HashSet<>(n * 2);
        boolean strict = strictProject.test(projectId);

        if (n > limits.limits().maxBatchSize()) {
            Violation tooMany = new Violation("events", "too_many",
                    n + " events; at most " + limits.limits().maxBatchSize() + " per batch");
            for (int i = 0; i < n; i++) {
                results[i] = new IngestResult.Rejected(batch.get(i).eventId(), List.of(tooMany));
            }
            return new BatchResult(List.of(results));
        }

        Prepared[] prepared = new Prepared[n];
        int split = parallel == null || n < PARALLEL_THRESHOLD ? n : n / 2;
        CompletableFuture<Void> otherHalf = split == n ? null
                : CompletableFuture.runAsync(() -> prepare(projectId, batch, split, n, now, strict, imported, prepared),
                        parallel);
        prepare(projectId, batch, 0, split, now, strict, imported, prepared);
        if (otherHalf != null) {
            otherHalf.join();
        }
        for (int i = 0; i < n; i++) {
            ParsedEvent p = batch.get(i);
            Prepared r = prepared[i];
            if (!r.violations().isEmpty()) {
                results[i] = new IngestResult.Rejected(p.eventId(), r.violations());
                rejections.add(new RejectedEvent(projectId, p.eventId(),
                        r.event() == null ? null : r.event().eventType(), RejectedEvent.Reason.INVALID,
                        r.violations(), now, p.raw() != null ? p.raw() : describe(r.event())));
            } else if (!seenInBatch.add(r.event().eventId())) {
                results[i] = new IngestResult.Duplicate(r.event().eventId());
                duplicates.add(r.event().eventId());
            } else {
                candidates.add(i);
                encoded.add(r.bytes());
                ids.add(r.event().eventId());
            }
        }

        if (!candidates.isEmpty()) {
            boolean[] fresh = backend.dedup().markIfAbsent(projectId, ids, now.plus(dedupTtl));
            List<LogRecord> toAppend = new ArrayList<>(candidates.size());
            List<String> appendedIds = new ArrayList<>(candidates.size());
            for (int c = 0; c < candidates.size(); c++) {
                int i = candidates.get(c);
                if (fresh[c]) {
                    toAppend.add(new LogRecord(projectId, ids.get(c), encoded.get(c)));
                    appendedIds.add(ids.get(c));
                    results[i] = new IngestResult.Accepted(ids.get(c));
                } else {
                    results[i] = new IngestResult.Duplicate(ids.get(c));
                    duplicates.add(ids.get(c));
                }
            }
            if (!toAppend.isEmpty()) {
                try {
                    backend.eventLog().append(projectId, toAppend);
                } catch (RuntimeException e) {
                    backend.dedup().unmark(projectId, appendedIds);
                    throw e instanceof TallyException te ? te : new UnableToAppendException(backend.name(), e);
                }
            }
        }
        recordRejections(rejections);
        duplicateCounts.record(projectId, duplicates, now);
        return new BatchResult(List.of(results));
    }

    /** Checks, validates and encodes events {@code [from, to)}; independent per event, so halves run in parallel. */
    private void prepare(String projectId, List<ParsedEvent> batch, int from, int to, Instant now, boolean strict,
                         boolean imported, Prepared[] out) {
        for (int i = from; i < to; i++) {
            ParsedEvent p = batch.get(i);
            List<Violation> violations = p.violations();
            Event event = p.event();
            byte[] bytes = null;
            if (violations.isEmpty() && imported && event.timestamp() == null) {
                violations = List.of(new Violation("timestamp", "required",
                        "an imported event needs its historical timestamp"));
            }
            if (violations.isEmpty()) {
                if (event.timestamp() == null) {
                    event = new Event(event.eventId(), event.eventType(), event.userId(), now, event.properties(),
                            event.context());
                }
                violations = limits.check(event, now);
                if (violations.isEmpty()) {
                    violations = validateSchema(projectId, event, strict);
                }
                if (violations.isEmpty()) {
                    bytes = EventCodec.encode(projectId, event, now, imported);
                    Violation size = limits.checkSize(bytes.length);
                    if (size != null) {
                        violations = List.of(size);
                    }
                }
            }
            out[i] = new Prepared(event, bytes, violations);
        }
    }

    private record Prepared(Event event, byte[] bytes, List<Violation> violations) {
    }

    private List<Violation> validateSchema(String projectId, Event event, boolean strict) {
        if (strict && !schemas.hasSchema(projectId, event.eventType())) {
            return List.of(new Violation("eventType", "unknown_event_type",
                    "project is in strict mode and no schema is registered for '" + event.eventType() + "'"));
        }
        return schemas.validate(projectId, event);
    }

    private void recordRejections(List<RejectedEvent> rejections) {
        if (rejections.isEmpty()) {
            return;
        }
        try {
            backend.warehouse().recordRejections(rejections);
        } catch (RuntimeException e) {
            // The caller still gets every reason; only the listing misses these.
            LOG.warn("could not record {} rejected events: {}", rejections.size(), e.toString());
        }
    }


    private static String describe(Event e) {
        if (e == null) {
            return null;
        }
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eventId", e.eventId());
            m.put("eventType", e.eventType());
            m.put("userId", e.userId());
            m.put("timestamp", e.timestamp() == null ? null : e.timestamp().toString());
            m.put("properties", e.properties());
            return EventJsonParser.truncate(Json.write(m));
        } catch (RuntimeException ex) {
            return "<unprintable event " + e.eventId() + ">";
        }
    }
}
