package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.api.Limits;
import dev.tally.api.Violation;
import dev.tally.engine.codec.EventCodec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks an event's shape against {@link Limits}; reports every breach with its path. Thread-safe. */
public final class LimitsChecker {
    private static final int MAX_CONTEXT_ENTRIES = 50;
    private static final int MAX_VIOLATIONS = 50;

    private final Limits limits;

    public LimitsChecker(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Violations of the event (whose timestamp is already defaulted), judged at {@code now}. */
    public List<Violation> check(Event e, Instant now) {
        List<Violation> out = new ArrayList<>(0);
        if (e.eventId() == null || e.eventId().isEmpty()) {
            out.add(new Violation("eventId", "required", "eventId is required"));
        } else if (!isEventId(e.eventId())) {
            out.add(new Violation("eventId", "invalid_format",
                    "eventId must be 1-64 characters of letters, digits, '.', '_', ':' or '-'"));
        }
        if (e.eventType() == null || e.eventType().isEmpty()) {
            out.add(new Violation("eventType", "required", "eventType is required"));
        } else if (!isEventType(e.eventType())) {
            out.add(new Violation("eventType", "invalid_format",
                    "eventType must start with a letter and have at most 100 letters, digits, '_', '.' or '-'"));
        }
        if (e.userId() != null && (e.userId().isEmpty() || e.userId().length() > Limits.MAX_USER_ID_LENGTH)) {
            out.add(new Violation("userId", "invalid_length",
                    "userId must be 1-" + Limits.MAX_USER_ID_LENGTH + " characters"));
        }
        Instant ts = e.timestamp();
        if (ts == null) {
            out.add(new Violation("timestamp", "required", "timestamp is required"));
        } else if (ts.isBefore(Instant.EPOCH)) {
            out.add(new Violation("timestamp", "out_of_range", "timestamp " + ts + " is before 1970-01-01T00:00:00Z"));
        } else if (ts.isAfter(now.plus(limits.maxFutureSkew()))) {
            out.add(new Violation("timestamp", "in_future", "timestamp " + ts + " is more than "
                    + limits.maxFutureSkew() + " ahead of the server clock (" + now + ")"));
        }
        checkContext(e.context(), out);
        if (e.properties().size() > limits.maxProperties()) {
            out.add(new Violation("properties", "too_many",
                    e.properties().size() + " properties; at most " + limits.maxProperties() + " are allowed"));
        } else {
            for (Map.Entry<String, Object> p : e.properties().entrySet()) {
                if (p.getKey() == null) {
                    out.add(new Violation("properties", "invalid_name", "property names must not be null"));
                    continue;
                }
                checkValue("properties." + p.getKey(), p.getKey(), p.getValue(), 1, out);
                if (out.size() >= MAX_VIOLATIONS) {
                    break;
                }
            }
        }
        return out;
    }

    /** Same as {@link Limits#EVENT_ID} without a regex engine on the hot path. */
    static boolean isEventId(String s) {
        int n = s.length();
        if (n < 1 || n > 64 || !isAlnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Same as {@link Limits#EVENT_TYPE} without a regex engine on the hot path. */
    static boolean isEventType(String s) {
        int n = s.length();
        if (n < 1 || n > 100) {
            return false;
        }
        char first = s.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** A violation if the encoded form is too large. */
    public Violation checkSize(int encodedBytes) {
        if (encodedBytes > limits.maxEventBytes()) {
            return new Violation("", "too_large",
                    "event is " + encodedBytes + " bytes encoded; at most " + limits.maxEventBytes() + " are allowed");
        }
        return null;
    }

    private void checkContext(EventContext c, List<Violation> out) {
        checkString("context.ip", c.ip(), out);
        checkString("context.userAgent", c.userAgent(), out);
        checkString("context.country", c.country(), out);
        checkString("context.device", c.device(), out);
        if (c.extra().size() > MAX_CONTEXT_ENTRIES) {
            out.add(new Violation("context", "too_many", "at most " + MAX_CONTEXT_ENTRIES + " context entries"));
            return;
        }
        for (Map.Entry<String, String> x : c.extra().entrySet()) {
            if (x.getKey() == null) {
                out.add(new Violation("context", "invalid_name", "context keys must not be null"));
                continue;
            }
            checkKey("context." + x.getKey(), x.getKey(), out);
            checkString("context." + x.getKey(), x.getValue(), out);
        }
    }

    private void checkValue(String path, String key, Object v, int depth, List<Violation> out) {
        checkKey(path, key, out);
        if (v == null || v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                || v instanceof Byte || v instanceof java.math.BigInteger) {
            return;
        }
        if (v instanceof String s) {
            checkString(path, s, out);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                out.add(new Violation(path, "invalid_number", "number must be finite, got " + d));
            }
        } else if (v instanceof java.math.BigDecimal) {
            return;
        } else if (v instanceof Map<?, ?> map) {
            if (depth >= limits.maxDepth()) {
                out.add(new Violation(path, "too_deep", "properties nest at most " + limits.maxDepth() + " levels"));
                return;
            }
            if (map.size() > limits.maxProperties()) {
                out.add(new Violation(path, "too_many", "at most " + limits.maxProperties() + " entries"));
                return;
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    out.add(new Violation(path, "type", "object keys must be strings"));
                    return;
                }
                checkValue(path + "." + k, k, e.getValue(), depth + 1, out);
            }
        } else if (v instanceof List<?> list) {
            if (depth >= limits.maxDepth()) {
                out.add(new Violation(path, "too_deep", "properties nest at most " + limits.maxDepth() + " levels"));
                return;
            }
            if (list.size() > limits.maxProperties()) {
                out.add(new Violation(path, "too_many", "at most " + limits.maxProperties() + " array items"));
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                checkValue(path + "[" + i + "]", null, list.get(i), depth + 1, out);
            }
        } else if (!EventCodec.isSupported(v)) {
            out.add(new Violation(path, "type", "unsupported value type " + v.getClass().getSimpleName()
                    + "; use string, number, boolean, null, list or map"));
        }
    }

    private void checkKey(String path, String key, List<Violation> out) {
        if (key == null) {
            return;
        }
        if (key.isEmpty()) {
            out.add(new Violation(path, "invalid_name", "property names must not be empty"));
        } else if (key.length() > Math.min(256, limits.maxStringLength())) {
            int max = Math.min(256, limits.maxStringLength());
            out.add(new Violation(path.substring(0, Math.min(path.length(), 300)), "too_long",
                    "property names have at most " + max + " characters"));
        }
    }

    private void checkString(String path, String s, List<Violation> out) {
        if (s != null && s.length() > limits.maxStringLength()) {
            out.add(new Violation(path, "too_long",
                    s.length() + " characters; at most " + limits.maxStringLength() + " are allowed"));
        }
    }
}
