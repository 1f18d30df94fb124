package dev.tally.engine.codec;

import dev.tally.api.Event;
import dev.tally.api.EventContext;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of an event in the log, shared by every backend (Chronicle documents, Kafka record
 * values). Compact and fast to decode: varint lengths, UTF-8 strings, typed property values.
 *
 * <p>Layout: format byte, projectId, eventId, eventType, userId?, timestamp ms, ingestedAt ms, ip?,
 * userAgent?, country?, device?, extra map, properties map. Stateless and thread-safe.
 */
public final class EventCodec {
    private static final byte FORMAT = 1;
    /** The same layout, for an event imported as backfill: archived and rolled up, not windowed in real time. */
    private static final byte FORMAT_IMPORTED = 2;

    private static final byte T_NULL = 0;
    private static final byte T_FALSE = 1;
    private static final byte T_TRUE = 2;
    private static final byte T_LONG = 3;
    private static final byte T_DOUBLE = 4;
    private static final byte T_STRING = 5;
    private static final byte T_DECIMAL = 6;
    private static final byte T_LIST = 7;
    private static final byte T_MAP = 8;

    private EventCodec() {
    }

    /** Encodes; values must be of the supported types (checked by the limits before this is called). */
    public static byte[] encode(String projectId, Event e, Instant ingestedAt) {
        return encode(projectId, e, ingestedAt, false);
    }

    /** Encodes; {@code imported} marks a backfilled event (see {@link StoredEvent#imported()}). */
    public static byte[] encode(String projectId, Event e, Instant ingestedAt, boolean imported) {
        Writer w = new Writer(128 + e.properties().size() * 24);
        w.b(imported ? FORMAT_IMPORTED : FORMAT);
        w.str(projectId);
        w.str(e.eventId());
        w.str(e.eventType());
        w.optStr(e.userId());
        w.i64(e.timestamp().toEpochMilli());
        w.i64(ingestedAt.toEpochMilli());
        EventContext c = e.context();
        w.optStr(c.ip());
        w.optStr(c.userAgent());
        w.optStr(c.country());
        w.optStr(c.device());
        w.varint(c.extra().size());
        for (Map.Entry<String, String> x : c.extra().entrySet()) {
            w.str(x.getKey());
            w.optStr(x.getValue());
        }
        w.varint(e.properties().size());
        for (Map.Entry<String, Object> p : e.properties().entrySet()) {
            w.str(p.getKey());
            w.value(p.getValue());
        }
        return w.toArray();
    }

    public static StoredEvent decode(byte[] bytes) {
        Reader r = new Reader(bytes);
        byte format = r.b();
        if (format != FORMAT && format != FORMAT_IMPORTED) {
            throw new IllegalArgumentException("unknown event format " + format);
        }
        String projectId = r.str();
        String eventId = r.str();
        String eventType = r.str();
        String userId = r.optStr();
        Instant timestamp = Instant.ofEpochMilli(r.i64());
        Instant ingestedAt = Instant.ofEpochMilli(r.i64());
        String ip = r.optStr();
        String userAgent = r.optStr();
        String country = r.optStr();
        String device = r.optStr();
        int extraCount = r.varint();
        Map<String, String> extra = extraCount == 0 ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < extraCount; i++) {
            extra.put(r.str(), r.optStr());
        }
        int propCount = r.varint();
        Map<String, Object> props = new LinkedHashMap<>(Math.max(4, propCount * 2));
        for (int i = 0; i < propCount; i++) {
            props.put(r.str(), r.value());
        }
        Event event = new Event(eventId, eventType, userId, timestamp, props,
                new EventContext(ip, userAgent, country, device, extra));
        return new StoredEvent(projectId, event, ingestedAt, format == FORMAT_IMPORTED);
    }

    /** {@code true} when the value (recursively) has a type the codec can store. */
    public static boolean isSupported(Object v) {
        return v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte || v instanceof Double || v instanceof Float
                || v instanceof BigDecimal || v instanceof BigInteger || v instanceof List || v instanceof Map;
    }

    private static final class Writer {
        private byte[] buf;
        private int pos;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void b(byte v) {
            ensure(1);
            buf[pos++] = v;
        }

        void varint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void i64(long v) {
            ensure(8);
            for (int i = 7; i >= 0; i--) {
                buf[pos++] = (byte) (v >>> (i * 8));
            }
        }

        void str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            varint(bytes.length);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
        }

        void optStr(String s) {
            if (s == null) {
                b((byte) 0);
            } else {
                b((byte) 1);
                str(s);
            }
        }

        void value(Object v) {
            if (v == null) {
                b(T_NULL);
            } else if (v instanceof String s) {
                b(T_STRING);
                str(s);
            } else if (v instanceof Boolean bool) {
                b(bool ? T_TRUE : T_FALSE);
            } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                b(T_LONG);
                long l = ((Number) v).longValue();
                varlong((l << 1) ^ (l >> 63));
            } else if (v instanceof Double || v instanceof Float) {
                b(T_DOUBLE);
                i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            } else if (v instanceof BigDecimal || v instanceof BigInteger) {
                b(T_DECIMAL);
                str(v.toString());
            } else if (v instanceof List<?> list) {
                b(T_LIST);
                varint(list.size());
                for (Object o : list) {
                    value(o);
                }
            } else if (v instanceof Map<?, ?> map) {
                b(T_MAP);
                varint(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    str(String.valueOf(e.getKey()));
                    value(e.getValue());
                }
            } else {
                throw new IllegalArgumentException("unsupported property value type " + v.getClass().getName());
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        byte b() {
            return buf[pos++];
        }

        int varint() {
            int result = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                byte x = buf[pos++];
                result |= (x & 0x7F) << shift;
                if (x >= 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        long varlong() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = buf[pos++];
                result |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varlong");
        }

        long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        String str() {
            int len = varint();
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        String optStr() {
            return b() == 0 ? null : str();
        }

        Object value() {
            byte tag = b();
            return switch (tag) {
                case T_NULL -> null;
                case T_FALSE -> Boolean.FALSE;
                case T_TRUE -> Boolean.TRUE;
                case T_LONG -> {
                    long z = varlong();
                    yield (z >>> 1) ^ -(z & 1);
                }
                case T_DOUBLE -> Double.longBitsToDouble(i64());
                case T_STRING -> str();
                case T_DECIMAL -> new BigDecimal(str());
                case T_LIST -> {
                    int n = varint();
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(value());
                    }
                    yield list;
                }
                case T_MAP -> {
                    int n = varint();
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        map.put(str(), value());
                    }
                    yield map;
                }
                default -> throw new IllegalArgumentException("unknown value tag " + tag);
            };
        }
    }
}
