package dev.tally.jdbc;

import java.util.List;

/**
 * A write that inserts a row or, when a row with the same {@code keys} exists, replaces its other columns. The
 * {@code keys} must be exactly the columns of a primary key or unique constraint (PostgreSQL's
 * {@code ON CONFLICT} needs one to match). Column names are written as they appear in SQL (quoted where a name is
 * a keyword, like {@code "timestamp"}).
 */
public record Upsert(String table, List<String> columns, List<String> keys) {
    public Upsert {
        columns = List.copyOf(columns);
        keys = List.copyOf(keys);
        if (!columns.containsAll(keys)) {
            throw new IllegalArgumentException("keys " + keys + " must be among the columns " + columns);
        }
    }

    /** The columns that are not keys: what an upsert replaces. */
    public List<String> values() {
        return columns.stream().filter(c -> !keys.contains(c)).toList();
    }

    /** The column list, {@code (a, b, c)}. */
    public String columnList() {
        return "(" + String.join(", ", columns) + ")";
    }

    /** One placeholder per column, {@code (?, ?, ?)}. */
    public String placeholders() {
        return "(" + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
    }
}
