package dev.tally.engine.sql;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time range {@code [from, to)} of events; either end may be open ({@code null}). {@link #fromSql} reads
 * one from a statement's own predicates on {@code timestamp}, so that only the archive's matching hours are
 * read. Immutable.
 */
record TimeRange(Instant from, Instant to) {
    static final TimeRange ALL = new TimeRange(null, null);

    private static final Pattern LITERAL = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?"
                    + "\\s*(Z|UTC|[+-]\\d{2}(?::?\\d{2})?)?");

    boolean isAll() {
        return from == null && to == null;
    }

    /** Whether the UTC hour starting at {@code hour} has instants in this range. */
    boolean overlapsHour(Instant hour) {
        return (to == null || hour.isBefore(to)) && (from == null || hour.plus(1, ChronoUnit.HOURS).isAfter(from));
    }

    @Override
    public String toString() {
        return (from == null ? "-inf" : from.toString()) + " .. " + (to == null ? "+inf" : to.toString());
    }

    /**
     * The range a statement's own {@code WHERE} restricts {@code events} to, when that is certain: the statement
     * is one {@code SELECT} whose only table reference is {@code FROM events} (no join, no other mention of
     * {@code events} anywhere, no set operation), and its {@code WHERE} is an {@code AND} of comparisons (or
     * {@code BETWEEN}) of {@code timestamp} with a timestamp literal. Conjuncts of other shapes are ignored:
     * they can only narrow what the query keeps. Empty when no bound is found.
     */
    static Optional<TimeRange> fromSql(JsonNode statement) {
        JsonNode node = statement.path("node");
        if (!node.path("type").asString("").equals("SELECT_NODE") || countEvents(statement) != 1) {
            return Optional.empty();
        }
        JsonNode table = node.path("from_table");
        if (!table.path("type").asString("").equals("BASE_TABLE") || !isEvents(table)) {
            return Optional.empty();
        }
        String alias = table.path("alias").asString("").toLowerCase(Locale.ROOT);
        List<JsonNode> conjuncts = new ArrayList<>();
        flattenAnd(node.path("where_clause"), conjuncts);
        Instant from = null;
        Instant to = null;
        for (JsonNode c : conjuncts) {
            TimeRange r = bound(c, alias);
            if (r.from != null && (from == null || r.from.isAfter(from))) {
                from = r.from;
            }
            if (r.to != null && (to == null || r.to.isBefore(to))) {
                to = r.to;
            }
        }
        return from == null && to == null ? Optional.empty() : Optional.of(new TimeRange(from, to));
    }

    private static boolean isEvents(JsonNode table) {
        return table.path("table_name").asString("").equalsIgnoreCase(SqlGuard.TABLE);
    }

    /** Mentions of a table named {@code events}, or of a common table expression that could shadow it. */
    private static int countEvents(JsonNode node) {
        int n = 0;
        if (node.isObject()) {
            if (node.path("type").asString("").equals("BASE_TABLE") && isEvents(node)) {
                n++;
            }
            for (JsonNode cte : node.path("cte_map").path("map")) {
                if (cte.path("key").asString("").equalsIgnoreCase(SqlGuard.TABLE)) {
                    n += 2;
                }
            }
        }
        for (JsonNode child : node) {
            n += countEvents(child);
        }
        return n;
    }

    private static void flattenAnd(JsonNode e, List<JsonNode> out) {
        if (e.path("type").asString("").equals("CONJUNCTION_AND")) {
            for (JsonNode child : e.path("children")) {
                flattenAnd(child, out);
            }
        } else if (e.isObject()) {
            out.add(e);
        }
    }

    /** The bound one conjunct puts on {@code timestamp}; {@link #ALL} when it is of another shape. */
    private static TimeRange bound(JsonNode e, String alias) {
        String type = e.path("type").asString("");
        if (type.equals("COMPARE_BETWEEN") && isTimestamp(e.path("input"), alias)) {
            Instant low = literal(e.path("lower"));
            Instant high = literal(e.path("upper"));
            return new TimeRange(low, high == null ? null : high.truncatedTo(ChronoUnit.MILLIS).plusMillis(1));
        }
        if (!e.path("class").asString("").equals("COMPARISON")) {
            return ALL;
        }
        JsonNode left = e.path("left");
        JsonNode right = e.path("right");
        Instant at;
        boolean columnLeft;
        if (isTimestamp(left, alias) && (at = literal(right)) != null) {
            columnLeft = true;
        } else if (isTimestamp(right, alias) && (at = literal(left)) != null) {
            columnLeft = false;
        } else {
            return ALL;
        }
        // an inclusive upper bound ends 1 ms later (the archive's precision), which is never narrower than exact
        Instant after = at.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        return switch (type) {
            case "COMPARE_EQUAL" -> new TimeRange(at, after);
            case "COMPARE_GREATERTHAN" -> columnLeft ? new TimeRange(at, null) : new TimeRange(null, at);
            case "COMPARE_GREATERTHANOREQUALTO" -> columnLeft ? new TimeRange(at, null) : new TimeRange(null, after);
            case "COMPARE_LESSTHAN" -> columnLeft ? new TimeRange(null, at) : new TimeRange(at, null);
            case "COMPARE_LESSTHANOREQUALTO" -> columnLeft ? new TimeRange(null, after) : new TimeRange(at, null);
            default -> ALL;
        };
    }

    private static boolean isTimestamp(JsonNode e, String alias) {
        if (!e.path("class").asString("").equals("COLUMN_REF")) {
            return false;
        }
        JsonNode names = e.path("column_names");
        if (names.size() == 1) {
            return names.get(0).asString("").equalsIgnoreCase("timestamp");
        }
        if (names.size() == 2) {
            String table = names.get(0).asString("").toLowerCase(Locale.ROOT);
            return names.get(1).asString("").equalsIgnoreCase("timestamp")
                    && (alias.isEmpty() ? table.equals(SqlGuard.TABLE) : table.equals(alias));
        }
        return false;
    }

    /**
     * The instant of a timestamp literal: a string constant (compared with the UTC {@code timestamp} column),
     * or one cast to {@code TIMESTAMPTZ}, or to {@code TIMESTAMP}/{@code DATE} without an offset (UTC is the
     * session's zone); {@code null} for anything else, including text DuckDB might read differently.
     */
    static Instant literal(JsonNode e) {
        String cast = null;
        if (e.path("class").asString("").equals("CAST")) {
            if (e.path("try_cast").asBoolean(false)) {
                return null;
            }
            cast = e.path("type_expr").path("type_name").asString(e.path("cast_type").path("id").asString(""))
                    .toUpperCase(Locale.ROOT);
            e = e.path("child");
        }
        if (!e.path("class").asString("").equals("CONSTANT")
                || !e.path("literal").path("kind").asString("").equals("STRING")) {
            return null;
        }
        Matcher m = LITERAL.matcher(e.path("literal").path("text").asString("").trim());
        if (!m.matches()) {
            return null;
        }
        boolean withZone = cast == null || cast.equals("TIMESTAMPTZ") || cast.equals("TIMESTAMP WITH TIME ZONE");
        boolean plain = cast != null && (cast.equals("TIMESTAMP") || cast.equals("DATE") || cast.equals("DATETIME"));
        String offset = m.group(8);
        if (!withZone && !(plain && offset == null)) {
            return null;
        }
        if (cast != null && cast.equals("DATE") && m.group(4) != null) {
            return null;
        }
        try {
            LocalDateTime local = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))).atStartOfDay();
            if (m.group(4) != null) {
                int nanos = m.group(7) == null ? 0 : Integer.parseInt((m.group(7) + "00000000").substring(0, 9));
                local = local.withHour(Integer.parseInt(m.group(4))).withMinute(Integer.parseInt(m.group(5)))
                        .withSecond(m.group(6) == null ? 0 : Integer.parseInt(m.group(6))).withNano(nanos);
            }
            return local.toInstant(offset(offset));
        } catch (java.time.DateTimeException | NumberFormatException ex) {
            return null;
        }
    }

    private static ZoneOffset offset(String text) {
        if (text == null || text.equals("Z") || text.equals("UTC")) {
            return ZoneOffset.UTC;
        }
        String digits = text.substring(1).replace(":", "");
        int hours = Integer.parseInt(digits.substring(0, 2));
        int minutes = digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0;
        return ZoneOffset.ofHoursMinutes(text.charAt(0) == '-' ? -hours : hours, text.charAt(0) == '-' ? -minutes : minutes);
    }
}
