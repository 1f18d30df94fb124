package dev.tally.local;

import dev.tally.jdbc.SqlDialect;
import dev.tally.jdbc.Upsert;

/** H2's upserts: {@code MERGE … KEY}; bulk writes are the default JDBC batches (H2 runs in-process). */
final class H2Dialect implements SqlDialect {
    static final H2Dialect INSTANCE = new H2Dialect();

    private H2Dialect() {
    }

    @Override
    public String upsert(Upsert t) {
        return "MERGE INTO " + t.table() + t.columnList() + " KEY (" + String.join(", ", t.keys()) + ") VALUES "
                + t.placeholders();
    }

    @Override
    public String insertIfAbsent(Upsert t) {
        String on = String.join(" AND ", t.keys().stream().map(k -> "t." + k + " = v." + k).toList());
        String values = String.join(", ", t.columns().stream().map(c -> "v." + c).toList());
        return "MERGE INTO " + t.table() + " t USING (VALUES " + t.placeholders() + ") v" + t.columnList() + " ON " + on
                + " WHEN NOT MATCHED THEN INSERT " + t.columnList() + " VALUES (" + values + ")";
    }

    @Override
    public String increment(String table, String keyColumn, String counterColumn) {
        return "MERGE INTO " + table + " t USING (VALUES (?)) v(k) ON t." + keyColumn + " = v.k "
                + "WHEN MATCHED THEN UPDATE SET " + counterColumn + " = t." + counterColumn + " + 1 "
                + "WHEN NOT MATCHED THEN INSERT (" + keyColumn + ", " + counterColumn + ") VALUES (v.k, 1)";
    }
}
