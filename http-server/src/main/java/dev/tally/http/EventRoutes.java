package dev.tally.http;

import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.api.EventFate;
import dev.tally.api.EventBody;
import dev.tally.api.IngestResult;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.NotFoundException;
import dev.tally.api.Principal;
import dev.tally.api.RejectedEvent;
import dev.tally.api.Role;
import dev.tally.api.Violation;
import dev.tally.api.ParsedEvent;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /v1/events} (one event), {@code POST /v1/events/batch}, {@code POST /v1/events/import}
 * (backfill: same shape as batch, archived and rolled up instead of windowed), {@code GET /v1/events/rejected},
 * {@code GET /v1/events/{eventId}} (the event's fate: accepted, duplicate, rejected or late; 404 when unknown).
 *
 * <p>The body is read once up front to refuse what must not reach the engine at all: a body that is not
 * an event or a batch (400), a body {@code projectId} of another project (403: nothing of the request is
 * ingested), more events than the key's rate allows (429). What was read is then ingested as is
 * ({@code ingestParsed}): one parse per request.
 */
final class EventRoutes {
    static final int DEFAULT_REJECTED_LIMIT = 100;

    private EventRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.POST, "/v1/events").handler(r.guard(Role.INGEST)).handler(r.body())
                .handler(ctx -> ingestOne(s, ctx));
        r.add(HttpMethod.POST, "/v1/events/batch").handler(r.guard(Role.INGEST)).handler(r.body())
                .handler(ctx -> ingestBatch(s, ctx, false));
        r.add(HttpMethod.POST, "/v1/events/import").handler(r.guard(Role.INGEST)).handler(r.body())
                .handler(ctx -> ingestBatch(s, ctx, true));
        r.add(HttpMethod.GET, "/v1/events/rejected").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> rejected(s, ctx));
        // After "rejected": a path segment that is not a route of its own is an event id.
        r.add(HttpMethod.GET, "/v1/events/:eventId").handler(r.guard(Role.QUERY)).handler(r.body())
                .handler(ctx -> fate(s, ctx));
    }

    /** Queued for the {@link SingleEventCombiner}, which ingests waiting requests together. */
    private static void ingestOne(ServerState s, RoutingContext ctx) {
        s.combiner.submit(ctx, Routes.principal(ctx), Routes.bodyText(ctx));
    }

    /**
     * The one event of a {@code POST /v1/events} body: 400 for a body that is not an event, 403 for a body
     * naming another project.
     */
    static ParsedEvent singleEvent(ServerState s, Principal p, String body) {
        EventBody parsed = s.project(p.projectId()).parseJson(body, false);
        if (!parsed.bodyViolations().isEmpty()) {
            throw new InvalidRequestException(parsed.bodyViolations());
        }
        ParsedEvent event = parsed.events().get(0);
        refuseForeignProject(List.of(event), false);
        return event;
    }

    /** The answer to a batch sent to the single-event route: {@code ingestJson} would read it as a batch. */
    static IngestResult unexpectedBatch() {
        return new IngestResult.Rejected(null, List.of(new Violation("events", "unexpected_batch",
                "POST /v1/events takes one event; send {\"events\":[...]} to /v1/events/batch")));
    }

    static void answerOne(ServerState s, RoutingContext ctx, IngestResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", result.status().name().toLowerCase(Locale.ROOT));
        body.put("eventId", result.eventId());
        if (result instanceof IngestResult.Rejected rej) {
            List<Map<String, Object>> errors = HttpJson.violations(rej.violations());
            body.put("errors", errors);
            String message = rej.violations().isEmpty() ? "event rejected"
                    : "event rejected: " + rej.violations().get(0)
                    + (rej.violations().size() > 1 ? " (and " + (rej.violations().size() - 1) + " more)" : "");
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", "rejected");
            error.put("message", message);
            error.put("details", errors);
            body.put("error", error);
            s.errors.send(ctx, new ErrorResponses.ApiError(400, "rejected", message, errors, null), body);
        } else {
            Routes.json(ctx, result.status() == IngestResult.Status.ACCEPTED ? 202 : 200, body);
        }
    }

    private static void ingestBatch(ServerState s, RoutingContext ctx, boolean imported) {
        Principal p = Routes.principal(ctx);
        String body = Routes.bodyText(ctx);
        s.executor.run(ctx, () -> {
            EventBody parsed = s.project(p.projectId()).parseJson(body, true);
            if (!parsed.bodyViolations().isEmpty()) {
                throw new InvalidRequestException(parsed.bodyViolations());
            }
            refuseForeignProject(parsed.events(), true);
            s.limiter.acquireEvents(p, parsed.events().size());
            if (parsed.events().isEmpty()) {
                return new BatchResult(List.of());
            }
            BatchResult result = imported
                    ? s.project(p.projectId()).importParsed(parsed.events())
                    : s.project(p.projectId()).ingestParsed(parsed.events());
            s.metrics.recordIngest(result);
            return result;
        }, result -> {
            List<Map<String, Object>> rejected = new ArrayList<>();
            List<IngestResult> results = result.results();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof IngestResult.Rejected rej) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("index", i);
                    entry.put("eventId", rej.eventId());
                    entry.put("errors", HttpJson.violations(rej.violations()));
                    rejected.add(entry);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("accepted", result.accepted());
            out.put("duplicates", result.duplicates());
            out.put("rejected", rejected);
            Routes.json(ctx, 200, out);
        });
    }

    private static void rejected(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        int limit = QueryParams.of(ctx, "limit").intValue("limit", DEFAULT_REJECTED_LIMIT);
        s.executor.run(ctx, () -> s.project(p.projectId()).rejectedEvents(limit), events -> {
            List<Map<String, Object>> out = new ArrayList<>(events.size());
            for (RejectedEvent e : events) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("eventId", e.eventId());
                m.put("eventType", e.eventType());
                m.put("reason", e.reason().name().toLowerCase(Locale.ROOT));
                m.put("errors", HttpJson.violations(e.violations()));
                m.put("recordedAt", HttpJson.instant(e.recordedAt()));
                m.put("payload", e.payload());
                out.add(m);
            }
            Routes.json(ctx, 200, Map.of("events", out));
        });
    }

    /**
     * {@code 200 {"eventId","status","copies"?,"errors"?,"recordedAt"?,"event"?}} for a known id of the key's
     * project, {@code 404} (the JSON error shape) for an unknown one.
     */
    private static void fate(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        String eventId = ctx.pathParam("eventId");
        s.executor.run(ctx, () -> {
            EventFate fate = s.project(p.projectId()).event(eventId);
            if (fate instanceof EventFate.Unknown) {
                throw new NotFoundException("no event '" + HttpJson.shorten(eventId) + "' in project '" + p.projectId()
                        + "' within the dedup window or the rejected-events listing");
            }
            return fate;
        }, fate -> Routes.json(ctx, 200, fateJson(fate)));
    }

    static Map<String, Object> fateJson(EventFate fate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", fate.eventId());
        m.put("status", fate.status().name().toLowerCase(Locale.ROOT));
        if (fate instanceof EventFate.Duplicate d) {
            m.put("copies", d.copies());
        } else if (fate instanceof EventFate.Rejected r) {
            m.put("errors", HttpJson.violations(r.violations()));
            m.put("recordedAt", HttpJson.instant(r.recordedAt()));
            m.put("attempts", r.attempts());
            m.put("payload", r.payload());
        } else if (fate instanceof EventFate.Late l) {
            m.put("errors", HttpJson.violations(l.violations()));
            m.put("recordedAt", HttpJson.instant(l.recordedAt()));
        }
        fate.stored().ifPresent(e -> m.put("event", eventJson(e)));
        return m;
    }

    private static Map<String, Object> eventJson(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", e.eventId());
        m.put("eventType", e.eventType());
        m.put("userId", e.userId());
        m.put("timestamp", HttpJson.instant(e.timestamp()));
        m.put("properties", e.properties());
        EventContext c = e.context();
        Map<String, Object> context = new LinkedHashMap<>();
        if (c != null) {
            putIfPresent(context, "ip", c.ip());
            putIfPresent(context, "userAgent", c.userAgent());
            putIfPresent(context, "country", c.country());
            putIfPresent(context, "device", c.device());
            context.putAll(c.extra());
        }
        m.put("context", context);
        return m;
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** A body {@code projectId} naming another project refuses the whole request (403), before any ingest. */
    private static void refuseForeignProject(List<ParsedEvent> events, boolean batch) {
        List<Violation> foreign = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            for (Violation v : events.get(i).violations()) {
                if (v.code().equals("forbidden_project")) {
                    foreign.add(new Violation(batch ? "events[" + i + "]." + v.path() : v.path(), v.code(), v.message()));
                }
            }
        }
        if (!foreign.isEmpty()) {
            throw new HttpFailure(403, "forbidden_project",
                    "the body names a project other than the API key's; nothing was ingested", foreign, null);
        }
    }

    /** The shape {@code ingestJson} reads as a batch: an {@code events} field and no {@code eventType}. */
    static boolean looksLikeBatch(ParsedEvent event) {
        boolean eventsField = false;
        boolean typeMissing = false;
        for (Violation v : event.violations()) {
            eventsField |= v.path().equals("events") && v.code().equals("unknown_field");
            typeMissing |= v.path().equals("eventType") && v.code().equals("required");
        }
        return eventsField && typeMissing;
    }
}
