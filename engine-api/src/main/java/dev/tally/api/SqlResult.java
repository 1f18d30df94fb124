package dev.tally.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The answer to a {@link SqlQuery}. Values are JSON-friendly Java values: {@code String}, {@code Boolean},
 * {@code Long}, {@code Double} (non-finite ones as the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}), {@code BigDecimal}, {@code BigInteger}, {@code null}, {@code List} (lists, arrays) and
 * {@code Map<String, Object>} (maps, structs); timestamps are ISO-8601 strings (UTC ones end in {@code Z}), blobs
 * base64 strings, anything else (intervals, UUIDs, enums) its text.
 *
 * @param queryId   identifies the execution; identical queries that ran concurrently share one execution and so
 *                  one id
 * @param columns   column names, in order
 * @param rows      at most the query's limit of rows, each with one value per column
 * @param truncated whether the query had more rows (or more data than the result may hold) than returned
 * @param filesRead how many archive files the query read after time-partition pruning
 * @param notes     what was read (the time range and why) and any caveat, e.g. the truncation
 */
public record SqlResult(String queryId, List<String> columns, List<List<Object>> rows, boolean truncated,
                        int filesRead, List<String> notes) {
    public SqlResult {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(row))); // values may be null
        }
        rows = Collections.unmodifiableList(copy);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
