package dev.tally.engine.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.SQLException;
import java.sql.Struct;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what DuckDB's JDBC driver returns into JSON-friendly values (see {@code dev.tally.api.SqlResult}),
 * and estimates their size. Stateless.
 */
final class SqlValues {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    private SqlValues() {
    }

    static Object json(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long
                || v instanceof BigDecimal || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return v instanceof Float f ? Double.parseDouble(f.toString()) : d;
        }
        if (v instanceof OffsetDateTime t) {
            return t.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
        }
        if (v instanceof Timestamp t) {
            return LOCAL.format(t.toLocalDateTime());
        }
        if (v instanceof LocalDateTime t) {
            return LOCAL.format(t);
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof Time t) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(t.toLocalTime());
        }
        if (v instanceof LocalDate || v instanceof LocalTime || v instanceof OffsetTime) {
            return v.toString();
        }
        if (v instanceof Blob b) {
            return Base64.getEncoder().encodeToString(b.getBytes(1, (int) Math.min(Integer.MAX_VALUE, b.length())));
        }
        if (v instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (v instanceof Array a) {
            return list(a.getArray());
        }
        if (v instanceof Object[] values) {
            return list(values);
        }
        if (v instanceof Struct s) {
            return struct(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(json(e.getKey())), json(e.getValue()));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            return list(l.toArray());
        }
        return v.toString(); // intervals, UUIDs, enums, bits
    }

    private static List<Object> list(Object array) throws SQLException {
        if (!(array instanceof Object[] values)) {
            return array == null ? null : List.of(String.valueOf(array));
        }
        List<Object> out = new ArrayList<>(values.length);
        for (Object o : values) {
            out.add(json(o));
        }
        return out;
    }

    private static Map<String, Object> struct(Struct s) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s instanceof org.duckdb.DuckDBStruct d) {
            for (Map.Entry<String, Object> e : d.getMap().entrySet()) {
                out.put(e.getKey(), json(e.getValue()));
            }
            return out;
        }
        Object[] attributes = s.getAttributes();
        for (int i = 0; i < attributes.length; i++) {
            out.put("f" + (i + 1), json(attributes[i]));
        }
        return out;
    }

    /** About how many characters a converted value takes in JSON. */
    static long size(Object v) {
        if (v == null) {
            return 4;
        }
        if (v instanceof String s) {
            return s.length() + 2L;
        }
        if (v instanceof List<?> l) {
            long n = 2;
            for (Object o : l) {
                n += size(o) + 1;
            }
            return n;
        }
        if (v instanceof Map<?, ?> m) {
            long n = 2;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                n += e.getKey().toString().length() + 4 + size(e.getValue());
            }
            return n;
        }
        return 20;
    }
}
