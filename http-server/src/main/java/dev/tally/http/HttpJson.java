package dev.tally.http;

import dev.tally.api.InvalidRequestException;
import dev.tally.api.Violation;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** JSON in and out of the HTTP layer: one mapper whose parser limits keep hostile bodies cheap to refuse. */
final class HttpJson {
    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64)
                            .maxStringLength(1 << 20)
                            .maxNumberLength(64)
                            .maxNameLength(4096)
                            .build())
                    .build())
            .build();

    private HttpJson() {
    }

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Parses a request body that must be a JSON object; anything else is a 400 with the reason. */
    static JsonNode readObject(String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new InvalidRequestException("", "malformed_json", "body is not valid JSON: " + shorten(
                    e.getOriginalMessage() == null ? "unreadable input" : e.getOriginalMessage().replace('\n', ' ')));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidRequestException("", "required", "body is empty");
        }
        if (!root.isObject()) {
            throw new InvalidRequestException("", "type", "body must be a JSON object");
        }
        return root;
    }

    /** Adds an {@code unknown_field} violation for each field of {@code body} not in {@code known}. */
    static void unknownFields(JsonNode body, Set<String> known, String expected, List<Violation> problems) {
        for (String field : body.propertyNames()) {
            if (!known.contains(field)) {
                problems.add(new Violation(shorten(field), "unknown_field", "unknown field '" + shorten(field)
                        + "'; expected " + expected));
            }
        }
    }

    static Map<String, Object> violation(Violation v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", v.path());
        m.put("code", v.code());
        m.put("message", v.message());
        return m;
    }

    static List<Map<String, Object>> violations(List<Violation> list) {
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (Violation v : list) {
            out.add(violation(v));
        }
        return out;
    }

    static String instant(Instant t) {
        return t == null ? null : t.toString();
    }

    /** Metric values: integral values as JSON integers (counts read as {@code 3}, not {@code 3.0}). */
    static Object number(Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return null;
        }
        double d = value;
        if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
            return (long) d;
        }
        return d;
    }

    static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
