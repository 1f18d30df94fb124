package dev.tally.cloud;

import dev.tally.jdbc.SqlDialect;
import dev.tally.jdbc.Upsert;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * PostgreSQL's upserts ({@code INSERT … ON CONFLICT}) and bulk writes: batches of {@value #COPY_THRESHOLD} rows
 * or more are streamed with {@code COPY} into a session-local temporary table and moved into the target with one
 * {@code INSERT … SELECT … ON CONFLICT DO UPDATE}, which is several times faster than row-by-row statements.
 */
final class PostgresDialect implements SqlDialect {
    static final PostgresDialect INSTANCE = new PostgresDialect();

    /** Below this many rows, batched statements beat the temporary table's fixed cost. */
    static final int COPY_THRESHOLD = 500;
    private static final int FLUSH_BYTES = 1 << 16;
    private static final HexFormat HEX = HexFormat.of();

    private PostgresDialect() {
    }

    @Override
    public String upsert(Upsert t) {
        return "INSERT INTO " + t.table() + " " + t.columnList() + " VALUES " + t.placeholders() + onConflict(t);
    }

    @Override
    public String insertIfAbsent(Upsert t) {
        return "INSERT INTO " + t.table() + " " + t.columnList() + " VALUES " + t.placeholders()
                + " ON CONFLICT (" + String.join(", ", t.keys()) + ") DO NOTHING";
    }

    @Override
    public String increment(String table, String keyColumn, String counterColumn) {
        return "INSERT INTO " + table + " (" + keyColumn + ", " + counterColumn + ") VALUES (?, 1) "
                + "ON CONFLICT (" + keyColumn + ") DO UPDATE SET " + counterColumn + " = " + table + "."
                + counterColumn + " + 1";
    }

    private static String onConflict(Upsert t) {
        List<String> values = t.values();
        String target = " ON CONFLICT (" + String.join(", ", t.keys()) + ")";
        if (values.isEmpty()) {
            return target + " DO NOTHING";
        }
        return target + " DO UPDATE SET " + values.stream().map(c -> c + " = EXCLUDED." + c)
                .collect(Collectors.joining(", "));
    }

    @Override
    public void upsertAll(Connection c, Upsert t, List<Object[]> rows) throws SQLException {
        if (rows.size() < COPY_THRESHOLD) {
            SqlDialect.super.upsertAll(c, t, rows);
            return;
        }
        // ON CONFLICT DO UPDATE refuses to touch one row twice in a statement: the last row of a key wins, as with
        // the batched statements.
        Map<List<Object>, Object[]> last = new LinkedHashMap<>(rows.size() * 2);
        int[] keyIndexes = t.keys().stream().mapToInt(t.columns()::indexOf).toArray();
        for (Object[] row : rows) {
            Object[] key = new Object[keyIndexes.length];
            for (int i = 0; i < key.length; i++) {
                key[i] = row[keyIndexes[i]];
            }
            last.put(Arrays.asList(key), row);
        }
        String staging = "copy_" + t.table();
        String columns = String.join(", ", t.columns());
        try (Statement s = c.createStatement()) {
            // Temporary tables live per session (pooled connection); the first bulk write of a session creates it.
            s.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + staging + " AS SELECT " + columns + " FROM "
                    + t.table() + " WITH NO DATA");
        }
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + staging + " " + t.columnList() + " FROM STDIN");
        try {
            StringBuilder text = new StringBuilder(FLUSH_BYTES + 1024);
            for (Object[] row : last.values()) {
                appendRow(text, row);
                if (text.length() >= FLUSH_BYTES) {
                    write(copy, text);
                }
            }
            write(copy, text);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + t.table() + " " + t.columnList() + " SELECT " + columns + " FROM "
                    + staging + onConflict(t));
            s.execute("TRUNCATE " + staging);
        }
    }

    private static void write(CopyIn copy, StringBuilder text) throws SQLException {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
    }

    /** One row in COPY's text format: tab-separated, {@code \N} for null, backslash escapes. */
    private static void appendRow(StringBuilder out, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            Object v = row[i];
            if (v == null) {
                out.append("\\N");
            } else if (v instanceof String s) {
                escape(out, s);
            } else if (v instanceof OffsetDateTime t) {
                out.append(t.toInstant());
            } else if (v instanceof BigDecimal d) {
                out.append(d.toPlainString());
            } else if (v instanceof byte[] b) {
                // bytea's hex input "\x…", with its backslash escaped for COPY
                out.append("\\\\x").append(HEX.formatHex(b));
            } else if (v instanceof Boolean b) {
                out.append(b ? 't' : 'f');
            } else if (v instanceof Number n) {
                out.append(n);
            } else {
                throw new IllegalArgumentException("no COPY text form for " + v.getClass().getName());
            }
        }
        out.append('\n');
    }

    private static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
    }
}
