package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.EventBody;
import dev.tally.api.EventContext;
import dev.tally.api.ParsedEvent;
import dev.tally.api.Violation;
import dev.tally.engine.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads events from JSON as clients send them: a single event object or {@code {"events":[...]}}.
 * Never throws for bad input: malformed JSON, wrong types and unknown fields become violations with paths.
 * Thread-safe.
 */
public final class EventJsonParser {
    private static final Set<String> FIELDS =
            Set.of("eventId", "eventType", "userId", "timestamp", "properties", "context", "projectId");
    private static final Set<String> CONTEXT_FIELDS = Set.of("ip", "userAgent", "country", "device");
    private static final int MAX_RAW = 4096;

    private EventJsonParser() {
    }

    /**
     * Parses a body holding one event ({@code batch=false}) or {@code {"events":[...]}} ({@code batch=true});
     * with {@code batch=null} the shape decides.
     */
    public static EventBody parse(String json, Boolean batch, String projectId, int maxBatchSize) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            return bodyError("", "malformed_json", "body is not valid JSON: " + clean(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return bodyError("", "required", "body is empty");
        }
        if (!root.isObject()) {
            return bodyError("", "type", "body must be a JSON object");
        }
        boolean isBatch = batch != null ? batch : root.has("events") && !root.has("eventType");
        if (!isBatch) {
            return new EventBody(List.of(parseEvent(root, "", projectId)), List.of());
        }
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            return bodyError("events", "type", "a batch body is {\"events\":[...]}");
        }
        if (events.size() > maxBatchSize) {
            return bodyError("events", "too_many", events.size() + " events; at most " + maxBatchSize + " per batch");
        }
        for (String field : root.propertyNames()) {
            if (!field.equals("events")) {
                return bodyError(field, "unknown_field", "unknown field '" + field + "' in batch body");
            }
        }
        List<ParsedEvent> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            out.add(parseEvent(events.get(i), "", projectId));
        }
        return new EventBody(out, List.of());
    }

    private static EventBody bodyError(String path, String code, String message) {
        return new EventBody(List.of(), List.of(new Violation(path, code, message)));
    }

    static ParsedEvent parseEvent(JsonNode node, String prefix, String projectId) {
        Supplier<String> raw = () -> truncate(node.toString());
        if (!node.isObject()) {
            return ParsedEvent.withLazyRaw(null, null, List.of(new Violation(prefix.isEmpty() ? "" : prefix, "type",
                    "an event must be a JSON object")), raw);
        }
        List<Violation> v = new ArrayList<>(0);
        for (String field : node.propertyNames()) {
            if (!FIELDS.contains(field)) {
                v.add(new Violation(shorten(field), "unknown_field", "unknown field '" + shorten(field)
                        + "'; expected eventId, eventType, userId, timestamp, properties, context"));
            }
        }
        String eventId = string(node, "eventId", v, true);
        String eventType = string(node, "eventType", v, true);
        String userId = string(node, "userId", v, false);
        JsonNode bodyProject = node.get("projectId");
        if (bodyProject != null && !bodyProject.isNull()
                && !(bodyProject.isString() && bodyProject.asString().equals(projectId))) {
            v.add(new Violation("projectId", "forbidden_project",
                    "projectId in the body does not match the project of the API key"));
        }
        Instant timestamp = timestamp(node.get("timestamp"), v);
        Map<String, Object> properties = Map.of();
        JsonNode props = node.get("properties");
        if (props != null && !props.isNull()) {
            if (props.isObject()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) Json.toValue(props);
                properties = map;
            } else {
                v.add(new Violation("properties", "type", "properties must be a JSON object"));
            }
        }
        EventContext context = context(node.get("context"), v);
        if (!v.isEmpty()) {
            return ParsedEvent.withLazyRaw(null, eventId, v, raw);
        }
        return ParsedEvent.withLazyRaw(new Event(eventId, eventType, userId, timestamp, properties, context),
                eventId, v, raw);
    }

    private static String string(JsonNode node, String field, List<Violation> v, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                v.add(new Violation(field, "required", field + " is required"));
            }
            return null;
        }
        if (!value.isString()) {
            v.add(new Violation(field, "type", field + " must be a string, got " + value.getNodeType().name().toLowerCase()));
            return null;
        }
        return value.asString();
    }

    private static Instant timestamp(JsonNode value, List<Violation> v) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                v.add(new Violation("timestamp", "out_of_range", "timestamp is out of range"));
                return null;
            }
            try {
                return Instant.ofEpochMilli(value.longValue());
            } catch (java.time.DateTimeException e) {
                v.add(new Violation("timestamp", "out_of_range", "timestamp is out of range"));
                return null;
            }
        }
        if (value.isString()) {
            String s = value.asString();
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException e2) {
                    v.add(new Violation("timestamp", "invalid_format",
                            "timestamp must be ISO-8601 (2024-01-15T10:30:00Z) or epoch milliseconds, got '"
                                    + shorten(s) + "'"));
                    return null;
                }
            }
        }
        v.add(new Violation("timestamp", "type", "timestamp must be an ISO-8601 string or epoch milliseconds"));
        return null;
    }

    private static EventContext context(JsonNode node, List<Violation> v) {
        if (node == null || node.isNull()) {
            return EventContext.EMPTY;
        }
        if (!node.isObject()) {
            v.add(new Violation("context", "type", "context must be a JSON object"));
            return EventContext.EMPTY;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                continue;
            }
            if (!value.isString()) {
                v.add(new Violation("context." + shorten(e.getKey()), "type", "context values must be strings"));
                continue;
            }
            (CONTEXT_FIELDS.contains(e.getKey()) ? fields : extra).put(e.getKey(), value.asString());
        }
        return new EventContext(fields.get("ip"), fields.get("userAgent"), fields.get("country"), fields.get("device"),
                extra);
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static String clean(String message) {
        return message == null ? "unreadable input" : shorten(message.replace('\n', ' '));
    }

    static String truncate(String raw) {
        return raw.length() <= MAX_RAW ? raw : raw.substring(0, MAX_RAW) + "...";
    }
}
