package dev.tally.engine.sql;

import dev.tally.api.InvalidQueryException;
import dev.tally.api.TallyException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a statement may run, by asking DuckDB's own parser ({@code json_serialize_sql}, which
 * serializes only {@code SELECT} statements) and walking the syntax tree it returns: exactly one
 * {@code SELECT}; tables are {@code events} or a common table expression in scope; table functions only the
 * few that generate rows from values ({@code range}, {@code unnest}, ...); no function that reads settings,
 * variables or catalog definitions. The sandbox's DuckDB settings enforce file access on top of this, so a
 * gap here still cannot reach a file; this check keeps callers away from what DuckDB would otherwise show
 * (settings, view definitions with server paths). Thread-safe: the parser connection is used by one caller
 * at a time.
 */
final class SqlGuard implements AutoCloseable {
    static final String TABLE = "events";

    /** Table functions that read no file, setting or catalog. */
    private static final Set<String> TABLE_FUNCTIONS = Set.of("range", "generate_series", "unnest", "json_each",
            "json_tree");
    /** Scalar functions and macros that show settings, variables, logs or catalog definitions. */
    private static final Set<String> DENIED_FUNCTIONS = Set.of("current_setting", "getvariable", "write_log",
            "col_description", "obj_description", "shobj_description", "json_execute_serialized_sql");
    private static final List<String> DENIED_PREFIXES = List.of("pg_", "duckdb_", "__internal", "has_", "pragma_");

    /** The syntax tree is deep for long expressions; DuckDB itself caps expression depth. */
    private static final JsonMapper AST = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(5_000)
                            .maxStringLength(64 << 20).build())
                    .build())
            .build();

    /** Opened on first use: loading DuckDB's native library costs about a second, only SQL users pay it. */
    private Connection parser;
    private PreparedStatement serialize;
    private boolean closed;

    /** A statement that passed: its syntax tree and a canonical text (the tree without source positions). */
    record Checked(String sql, JsonNode statement, String canonical) {
    }

    /** Parses and checks one statement; {@link InvalidQueryException} says what is refused. */
    Checked check(String sql) {
        JsonNode root = parse(sql);
        if (root.path("error").asBoolean(false)) {
            String type = root.path("error_type").asString("");
            String message = root.path("error_message").asString("the statement could not be parsed");
            if (type.equals("not implemented")) {
                throw refused("only one SELECT (or WITH ... SELECT) statement is allowed: the events table is read-only");
            }
            throw refused(message);
        }
        JsonNode statements = root.path("statements");
        if (statements.size() != 1) {
            throw refused(statements.isEmpty() ? "no statement: send one SELECT"
                    : "only one statement is allowed, got " + statements.size());
        }
        JsonNode statement = statements.get(0);
        walk(statement, Set.of());
        return new Checked(sql, statement, withoutPositions(statement.deepCopy()).toString());
    }

    private JsonNode parse(String sql) {
        String json;
        synchronized (this) {
            if (closed) {
                throw new TallyException("SQL is closed");
            }
            try {
                if (parser == null) {
                    parser = DuckDb.open(null);
                    DuckDb.lock(parser, List.of());
                    serialize = parser.prepareStatement(
                            "SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)");
                }
                serialize.setString(1, sql);
                try (ResultSet rs = serialize.executeQuery()) {
                    rs.next();
                    json = rs.getString(1);
                }
            } catch (SQLException e) {
                if (serialize == null) {
                    throw new TallyException("cannot start DuckDB's parser: " + e.getMessage(), e);
                }
                throw refused(e.getMessage());
            }
        }
        try {
            return AST.readTree(json);
        } catch (JacksonException e) {
            throw refused("the statement is too complex to check");
        }
    }

    /** Checks a subtree; {@code ctes} are the common table expressions visible in it (lower case). */
    private static void walk(JsonNode node, Set<String> ctes) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                walk(child, ctes);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        Set<String> visible = ctes;
        JsonNode cteMap = node.path("cte_map").path("map");
        if (!cteMap.isEmpty()) {
            visible = new HashSet<>(ctes);
            for (JsonNode cte : cteMap) {
                visible.add(cte.path("key").asString("").toLowerCase(Locale.ROOT));
            }
        }
        String type = node.path("type").asString("");
        switch (type) {
            case "BASE_TABLE" -> checkTable(node, visible);
            case "TABLE_FUNCTION" -> {
                String name = node.path("function").path("function_name").asString("").toLowerCase(Locale.ROOT);
                if (!TABLE_FUNCTIONS.contains(name)) {
                    throw refused("table function " + name + "() is not available: query the events table"
                            + " (allowed table functions: " + String.join(", ", TABLE_FUNCTIONS.stream().sorted().toList()) + ")");
                }
            }
            case "SHOW_REF" -> throw refused("DESCRIBE/SUMMARIZE/SHOW are not available: the columns of events are "
                    + "event_id, user_id, event_type, timestamp, properties, context, ingested_at");
            default -> {
            }
        }
        if (node.path("class").asString("").equals("FUNCTION")) {
            String name = node.path("function_name").asString("").toLowerCase(Locale.ROOT);
            if (DENIED_FUNCTIONS.contains(name) || DENIED_PREFIXES.stream().anyMatch(name::startsWith)) {
                throw refused("function " + name + "() is not available in Tally's SQL");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            walk(it.next().getValue(), visible);
        }
    }

    private static void checkTable(JsonNode table, Set<String> ctes) {
        String name = table.path("table_name").asString("");
        boolean qualified = !table.path("schema_name").asString("").isEmpty()
                || !table.path("catalog_name").asString("").isEmpty();
        String lower = name.toLowerCase(Locale.ROOT);
        if (qualified || !(lower.equals(TABLE) || ctes.contains(lower))) {
            throw refused("unknown table '" + shorten(qualified ? qualifiedName(table) : name)
                    + "': the only table is events (plus your WITH clauses)");
        }
    }

    private static String qualifiedName(JsonNode table) {
        StringBuilder b = new StringBuilder();
        for (String part : new String[]{"catalog_name", "schema_name"}) {
            String v = table.path(part).asString("");
            if (!v.isEmpty()) {
                b.append(v).append('.');
            }
        }
        return b.append(table.path("table_name").asString("")).toString();
    }

    /** The tree without character offsets, so that the same statement spaced differently reads the same. */
    private static JsonNode withoutPositions(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(List.of("query_location", "query_location_length"));
        }
        for (JsonNode child : node) {
            withoutPositions(child);
        }
        return node;
    }

    private static InvalidQueryException refused(String message) {
        return new InvalidQueryException("sql", shorten(message == null ? "refused" : message));
    }

    static String shorten(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (parser == null) {
                return;
            }
            try {
                parser.close();
            } catch (SQLException e) {
                // closing an in-memory database: nothing to keep
            }
        }
    }
}
