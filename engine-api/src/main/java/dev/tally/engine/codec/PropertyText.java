package dev.tally.engine.codec;

import dev.tally.engine.json.Json;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The one text form of a property value, used wherever a value becomes a string: metric dimension values and
 * the archive's {@code properties} map. Numbers read back through {@link #parseNumber} aggregate and render
 * exactly as the original did, so rollups from the archive match the real-time path. Stateless.
 */
public final class PropertyText {
    private PropertyText() {
    }

    /** {@code null} stays {@code null}; strings as they are; integral doubles without {@code .0}; lists and maps as JSON. */
    public static String render(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof Boolean || v instanceof java.math.BigInteger) {
            return v.toString();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        if (v instanceof BigDecimal bd) {
            return bd.stripTrailingZeros().toPlainString();
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            return Json.MAPPER.writeValueAsString(v);
        }
        return String.valueOf(v);
    }

    public static boolean isNumber(Object v) {
        return v instanceof Number;
    }

    /** Reads back the text {@link #render} gave a number: a {@code Long} when integral and in range, else a double or decimal. */
    public static Number parseNumber(String text) {
        if (text.indexOf('.') < 0 && text.indexOf('E') < 0 && text.indexOf('e') < 0) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return new BigDecimal(text);
            }
        }
        double d = Double.parseDouble(text);
        return render(d).equals(text) ? (Number) d : new BigDecimal(text);
    }
}
