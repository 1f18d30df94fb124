package dev.tally.engine.codec;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {
    private static final Instant TS = Instant.parse("2024-01-15T10:30:00.123Z");
    private static final Instant INGESTED = Instant.parse("2024-01-15T10:30:01.456Z");

    private static StoredEvent roundTrip(String projectId, Event e) {
        return EventCodec.decode(EventCodec.encode(projectId, e, INGESTED));
    }

    @Test
    void roundTrip_everyScalarPropertyType() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("string", "hello");
        props.put("long", 42L);
        props.put("negativeLong", -7L);
        props.put("longMin", Long.MIN_VALUE);
        props.put("longMax", Long.MAX_VALUE);
        props.put("zero", 0L);
        props.put("double", 19.99);
        props.put("negativeZero", -0.0);
        props.put("doubleMax", Double.MAX_VALUE);
        props.put("decimal", new BigDecimal("12345678901234567890.123456789"));
        props.put("decimalScale", new BigDecimal("1.50"));
        props.put("true", Boolean.TRUE);
        props.put("false", Boolean.FALSE);
        props.put("null", null);
        Event e = new Event("e-1", "purchase", "u-1", TS, props, EventContext.EMPTY);

        StoredEvent stored = roundTrip("shop", e);

        assertThat(stored.projectId()).isEqualTo("shop");
        assertThat(stored.ingestedAt()).isEqualTo(INGESTED);
        assertThat(stored.event()).isEqualTo(e);
        Map<String, Object> decoded = stored.event().properties();
        assertThat(decoded.keySet()).containsExactlyElementsOf(props.keySet());
        assertThat(decoded.get("long")).isInstanceOf(Long.class);
        assertThat(decoded.get("double")).isInstanceOf(Double.class);
        assertThat(Double.doubleToRawLongBits((Double) decoded.get("negativeZero")))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(decoded.get("decimalScale")).isInstanceOf(BigDecimal.class).hasToString("1.50");
        assertThat(decoded).containsKey("null");
        assertThat(decoded.get("null")).isNull();
    }

    @Test
    void roundTrip_smallIntegerTypesDecodeAsLongAndFloatAsDouble() {
        Event e = new Event("e-1", "t", null, TS,
                Map.of("int", 5, "short", (short) -3, "byte", (byte) 9, "float", 1.5f), EventContext.EMPTY);

        Map<String, Object> decoded = roundTrip("p", e).event().properties();

        assertThat(decoded).containsEntry("int", 5L).containsEntry("short", -3L).containsEntry("byte", 9L)
                .containsEntry("float", 1.5d);
    }

    @Test
    void roundTrip_nestedListsAndMaps() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("sku", "A-1");
        inner.put("qty", 2L);
        inner.put("price", 9.5);
        inner.put("missing", null);
        inner.put("tags", List.of("x", "y"));
        List<Object> mixed = new ArrayList<>(Arrays.asList(1L, "two", 3.0, null, true, List.of(), Map.of()));
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("items", List.of(inner, Map.of("sku", "B-2")));
        props.put("mixed", mixed);
        props.put("deep", Map.of("a", Map.of("b", Map.of("c", List.of(List.of(1L, 2L))))));
        props.put("emptyList", List.of());
        props.put("emptyMap", Map.of());
        Event e = new Event("e-2", "checkout", "u-2", TS, props, EventContext.EMPTY);

        Event decoded = roundTrip("p", e).event();

        assertThat(decoded).isEqualTo(e);
        @SuppressWarnings("unchecked")
        Map<String, Object> firstItem = (Map<String, Object>) ((List<?>) decoded.properties().get("items")).get(0);
        assertThat(firstItem.keySet()).containsExactly("sku", "qty", "price", "missing", "tags");
    }

    @Test
    void roundTrip_unicodeAndEmptyStrings() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("", "");
        props.put("emoji 🎉", "👩‍👩‍👧‍👦 and 𝄞");
        props.put("cjk", "日本語のテキスト");
        props.put("accents", "Ærøskøbing — Zürich ñ");
        props.put("rtl", "مرحبا");
        props.put("controls", "tab\tnewline\nnul\u0000end");
        Event e = new Event("ü-1", "tÿpe", "用户", TS, props,
                new EventContext("", "Mozilla/5.0 ☃", "", "📱", Map.of("", "", "ключ", "значение")));

        StoredEvent stored = roundTrip("projekt-ä", e);

        assertThat(stored.projectId()).isEqualTo("projekt-ä");
        assertThat(stored.event()).isEqualTo(e);
        assertThat(stored.event().properties()).containsEntry("", "");
    }

    @Test
    void roundTrip_contextFieldsAndExtras() {
        Event e = Event.builder("page_view").eventId("e-3").userId("u-3").timestamp(TS)
                .ip("203.0.113.7").userAgent("curl/8.0").country("DE").device("desktop")
                .context("referrer", "https://example.com/?q=1").context("campaign", "spring")
                .build();

        Event decoded = roundTrip("p", e).event();

        assertThat(decoded.context()).isEqualTo(e.context());
        assertThat(decoded.context().ip()).isEqualTo("203.0.113.7");
        assertThat(decoded.context().userAgent()).isEqualTo("curl/8.0");
        assertThat(decoded.context().country()).isEqualTo("DE");
        assertThat(decoded.context().device()).isEqualTo("desktop");
        assertThat(decoded.context().extra())
                .containsExactlyInAnyOrderEntriesOf(Map.of("referrer", "https://example.com/?q=1", "campaign", "spring"));
    }

    @Test
    void roundTrip_absentContextAndNullUserId() {
        Event e = new Event("e-4", "signup", null, TS, Map.of(), null);

        Event decoded = roundTrip("p", e).event();

        assertThat(decoded.userId()).isNull();
        assertThat(decoded.context()).isEqualTo(EventContext.EMPTY);
        assertThat(decoded.properties()).isEmpty();
        assertThat(decoded).isEqualTo(e);
    }

    @Test
    void roundTrip_keepsMillisecondTimestampsIncludingPreEpochAndEpoch() {
        for (Instant ts : List.of(Instant.EPOCH, Instant.ofEpochMilli(-1), Instant.parse("2999-12-31T23:59:59.999Z"))) {
            Event e = new Event("e", "t", "u", ts, Map.of(), null);
            assertThat(roundTrip("p", e).event().timestamp()).isEqualTo(ts);
        }
    }

    @Test
    void roundTrip_manyAndLongValuesGrowTheBuffer() {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            props.put("p" + i, "v".repeat(i * 3));
        }
        props.put("long", "x".repeat(100_000));
        Event e = new Event("e", "t", "u", TS, props, null);

        assertThat(roundTrip("p", e).event()).isEqualTo(e);
    }

    @Test
    void roundTrip_mapWithNonStringKeysStoresKeysAsText() {
        Map<Object, Object> odd = new LinkedHashMap<>();
        odd.put(1, "one");
        odd.put(true, "yes");
        Event e = new Event("e", "t", "u", TS, Map.of("odd", odd), null);

        assertThat(roundTrip("p", e).event().properties().get("odd"))
                .isEqualTo(Map.of("1", "one", "true", "yes"));
    }

    @Test
    void roundTrip_bigIntegerComesBackAsAnEqualDecimal() {
        Event e = new Event("e", "t", "u", TS, Map.of("big", new BigInteger("123456789012345678901234567890")), null);

        Object decoded = roundTrip("p", e).event().properties().get("big");

        assertThat(decoded).isInstanceOf(BigDecimal.class);
        assertThat((BigDecimal) decoded).isEqualByComparingTo("123456789012345678901234567890");
    }

    @Test
    void decode_readsProjectAndEventId() {
        Event e = Event.builder("purchase").eventId("ord-9").timestamp(TS).property("amount", 3L).build();
        StoredEvent decoded = EventCodec.decode(EventCodec.encode("acme-shop", e, INGESTED));

        assertThat(decoded.projectId()).isEqualTo("acme-shop");
        assertThat(decoded.event().eventId()).isEqualTo("ord-9");
    }

    @Test
    void decode_unicodeProject() {
        byte[] bytes = EventCodec.encode("ü", new Event("e", "t", null, TS, null, null), INGESTED);

        assertThat(EventCodec.decode(bytes).projectId()).isEqualTo("ü");
    }

    @Test
    void decode_unknownFormatIsRefused() {
        byte[] bytes = EventCodec.encode("p", new Event("e", "t", null, TS, null, null), INGESTED);
        bytes[0] = 99;

        assertThatThrownBy(() -> EventCodec.decode(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99");
    }

    @Test
    void encode_unsupportedValueTypeIsRefused() {
        Event e = new Event("e", "t", null, TS, Map.of("when", Instant.EPOCH), null);

        assertThatThrownBy(() -> EventCodec.encode("p", e, INGESTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.time.Instant");
    }

    @Test
    void isSupported_acceptsTheDocumentedTypesOnly() {
        assertThat(EventCodec.isSupported(null)).isTrue();
        assertThat(EventCodec.isSupported("s")).isTrue();
        assertThat(EventCodec.isSupported(1)).isTrue();
        assertThat(EventCodec.isSupported(1L)).isTrue();
        assertThat(EventCodec.isSupported(1.0)).isTrue();
        assertThat(EventCodec.isSupported(BigDecimal.ONE)).isTrue();
        assertThat(EventCodec.isSupported(true)).isTrue();
        assertThat(EventCodec.isSupported(List.of())).isTrue();
        assertThat(EventCodec.isSupported(Map.of())).isTrue();
        assertThat(EventCodec.isSupported(Instant.EPOCH)).isFalse();
        assertThat(EventCodec.isSupported('c')).isFalse();
        assertThat(EventCodec.isSupported(new int[0])).isFalse();
    }
}
