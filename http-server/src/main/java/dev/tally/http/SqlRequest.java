package dev.tally.http;

import dev.tally.api.InvalidRequestException;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.api.Violation;
import tools.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/query}: {@code {"sql", "from"?, "to"?, "limit"?}} ({@code from}/{@code to}:
 * ISO-8601 instants, dates meaning UTC midnight, or epoch milliseconds; {@code to} exclusive), and the answer
 * {@code {"queryId","columns","rows","truncated","filesRead","notes"}}. Every problem of the body is named.
 */
final class SqlRequest {
    private static final Set<String> FIELDS = Set.of("sql", "from", "to", "limit");

    private SqlRequest() {
    }

    static SqlQuery parse(JsonNode body) {
        List<Violation> problems = new ArrayList<>();
        HttpJson.unknownFields(body, FIELDS, "sql, from, to, limit", problems);
        JsonNode sql = body.get("sql");
        if (sql == null || sql.isNull()) {
            problems.add(new Violation("sql", "required", "sql is required: one SELECT over the table events"));
        } else if (!sql.isString()) {
            problems.add(new Violation("sql", "type", "sql must be a string"));
        }
        Instant from = time(body, "from", problems);
        Instant to = time(body, "to", problems);
        Integer limit = null;
        JsonNode l = body.get("limit");
        if (l != null && !l.isNull()) {
            if (l.isIntegralNumber() && l.canConvertToInt()) {
                limit = l.asInt();
            } else {
                problems.add(new Violation("limit", "type", "limit must be a positive integer"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new SqlQuery(sql.asString(), from, to, limit);
    }

    private static Instant time(JsonNode body, String field, List<Violation> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                return Instant.ofEpochMilli(v.asLong());
            }
            if (v.isString()) {
                String s = v.asString().trim();
                if (s.indexOf('T') < 0 && s.indexOf('t') < 0) {
                    return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return OffsetDateTime.parse(s).toInstant();
            }
        } catch (DateTimeException | ArithmeticException e) {
            // below
        }
        problems.add(new Violation(field, "invalid_format", field + " must be an ISO-8601 instant "
                + "(2024-01-15T10:00:00Z), a date (2024-01-15, UTC midnight) or epoch milliseconds"));
        return null;
    }

    static Map<String, Object> view(SqlResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queryId", r.queryId());
        out.put("columns", r.columns());
        out.put("rows", r.rows());
        out.put("truncated", r.truncated());
        out.put("filesRead", r.filesRead());
        out.put("notes", r.notes());
        return out;
    }
}
