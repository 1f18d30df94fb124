package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.api.Limits;
import dev.tally.api.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class LimitsCheckerTest {
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");

    /** Small limits so that each edge is cheap to reach: 5 properties, depth 3, strings of 20. */
    private static final Limits SMALL = new Limits(1024, 5, 3, 20, 10, Duration.ofMinutes(5));

    private final LimitsChecker checker = new LimitsChecker(SMALL);

    private static Event event(String eventId, String eventType) {
        return new Event(eventId, eventType, "u-1", NOW, Map.of(), null);
    }

    private static Event withProperties(Map<String, Object> properties) {
        return new Event("e-1", "purchase", "u-1", NOW, properties, null);
    }

    private static Event at(Instant timestamp) {
        return new Event("e-1", "purchase", "u-1", timestamp, Map.of(), null);
    }

    private List<Violation> check(Event e) {
        return checker.check(e, NOW);
    }

    @Test
    void check_plainEventHasNoViolations() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("amount", 19.99);
        props.put("qty", 2L);
        props.put("small", 3);
        props.put("note", null);
        props.put("paid", true);
        Event e = new Event("ord-1", "purchase", "u-1", NOW, props, EventContext.of("DE", "mobile"));

        assertThat(check(e)).isEmpty();
        assertThat(checker.limits()).isEqualTo(SMALL);
    }

    // ---- eventId / eventType / userId ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "ord-1", "order:2024.01_x", "A-Z.a_z:0-9"})
    void eventId_validFormats(String eventId) {
        assertThat(check(event(eventId, "t"))).isEmpty();
    }

    @Test
    void eventId_of64CharactersIsTheLongestAllowed() {
        assertThat(check(event("a".repeat(64), "t"))).isEmpty();
        assertThat(check(event("a".repeat(65), "t"))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventId", "invalid_format"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", ".a", "_a", ":a", "a b", "a/b", "a#1", "ü", "a\n", " a"})
    void eventId_invalidFormats(String eventId) {
        assertThat(check(event(eventId, "t"))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventId", "invalid_format"));
    }

    @Test
    void eventId_missingOrEmptyIsRequired() {
        assertThat(check(event(null, "t"))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventId", "required"));
        assertThat(check(event("", "t"))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventId", "required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Purchase", "page_view", "cart.item-added", "v2"})
    void eventType_validFormats(String eventType) {
        assertThat(check(event("e", eventType))).isEmpty();
    }

    @Test
    void eventType_of100CharactersIsTheLongestAllowed() {
        assertThat(check(event("e", "t".repeat(100)))).isEmpty();
        assertThat(check(event("e", "t".repeat(101)))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventType", "invalid_format"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1purchase", "_x", "-x", "a:b", "page view", "è", "a/b"})
    void eventType_invalidFormats(String eventType) {
        assertThat(check(event("e", eventType))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventType", "invalid_format"));
    }

    @Test
    void eventType_missingOrEmptyIsRequired() {
        assertThat(check(event("e", null))).extracting(Violation::code).containsExactly("required");
        assertThat(check(event("e", ""))).extracting(Violation::path).containsExactly("eventType");
    }

    @Test
    void userId_lengthIsBounded() {
        assertThat(check(new Event("e", "t", null, NOW, null, null))).isEmpty();
        assertThat(check(new Event("e", "t", "u".repeat(128), NOW, null, null))).isEmpty();
        assertThat(check(new Event("e", "t", "u".repeat(129), NOW, null, null)))
                .extracting(Violation::path, Violation::code).containsExactly(tuple("userId", "invalid_length"));
        assertThat(check(new Event("e", "t", "", NOW, null, null)))
                .extracting(Violation::path, Violation::code).containsExactly(tuple("userId", "invalid_length"));
    }

    @Test
    void everyBreachIsReportedAtOnce() {
        Event e = new Event("bad id", "1bad", "", null, Map.of("s", "x".repeat(21)), null);

        assertThat(check(e)).extracting(Violation::path).containsExactlyInAnyOrder(
                "eventId", "eventType", "userId", "timestamp", "properties.s");
    }

    // ---- timestamps -----------------------------------------------------------------------------------

    @Test
    void timestamp_missingIsRequired() {
        assertThat(check(at(null))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("timestamp", "required"));
    }

    @Test
    void timestamp_upToTheFutureSkewIsAccepted() {
        assertThat(check(at(NOW))).isEmpty();
        assertThat(check(at(NOW.plus(Duration.ofMinutes(5))))).isEmpty();
    }

    @Test
    void timestamp_pastTheFutureSkewIsInFuture() {
        List<Violation> v = check(at(NOW.plus(Duration.ofMinutes(5)).plusMillis(1)));

        assertThat(v).extracting(Violation::path, Violation::code).containsExactly(tuple("timestamp", "in_future"));
        assertThat(v.get(0).message()).contains(NOW.toString());
    }

    @Test
    void timestamp_isJudgedAgainstTheGivenNow() {
        Event e = at(NOW.plus(Duration.ofHours(1)));

        assertThat(checker.check(e, NOW)).extracting(Violation::code).containsExactly("in_future");
        assertThat(checker.check(e, NOW.plus(Duration.ofMinutes(55)))).isEmpty();
    }

    @Test
    void timestamp_zeroSkewRefusesEvenOneMillisecondAhead() {
        LimitsChecker strict = new LimitsChecker(new Limits(1024, 5, 3, 20, 10, Duration.ZERO));

        assertThat(strict.check(at(NOW), NOW)).isEmpty();
        assertThat(strict.check(at(NOW.plusMillis(1)), NOW)).extracting(Violation::code).containsExactly("in_future");
    }

    @Test
    void timestamp_oldButAfterTheEpochIsAccepted() {
        assertThat(check(at(Instant.EPOCH))).isEmpty();
        assertThat(check(at(NOW.minus(Duration.ofDays(3650))))).isEmpty();
    }

    @Test
    void timestamp_beforeTheEpochIsOutOfRange() {
        assertThat(check(at(Instant.EPOCH.minusMillis(1)))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("timestamp", "out_of_range"));
        assertThat(check(at(Instant.MIN))).extracting(Violation::code).containsExactly("out_of_range");
        assertThat(check(at(Instant.MAX))).extracting(Violation::code).containsExactly("in_future");
    }

    // ---- properties -----------------------------------------------------------------------------------

    @Test
    void properties_upToTheMaximumAreAccepted() {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            props.put("p" + i, i);
        }

        assertThat(check(withProperties(props))).isEmpty();
    }

    @Test
    void properties_tooMany() {
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            props.put("p" + i, "x".repeat(100));
        }

        List<Violation> v = check(withProperties(props));

        assertThat(v).extracting(Violation::path, Violation::code).containsExactly(tuple("properties", "too_many"));
        assertThat(v.get(0).message()).contains("6").contains("5");
    }

    @Test
    void properties_defaultLimitIs200() {
        LimitsChecker defaults = new LimitsChecker(Limits.defaults());
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            props.put("p" + i, i);
        }
        assertThat(defaults.check(withProperties(props), NOW)).isEmpty();

        props.put("one-more", 1);
        assertThat(defaults.check(withProperties(props), NOW)).extracting(Violation::code).containsExactly("too_many");
    }

    @Test
    void depth_upToTheMaximumIsAccepted() {
        // maxDepth 3: a property value may be a map of maps of scalars.
        Map<String, Object> props = Map.of(
                "m", Map.of("a", Map.of("b", 1L)),
                "l", List.of(List.of("x")),
                "mixed", Map.of("items", List.of(1L, 2L)));

        assertThat(check(withProperties(props))).isEmpty();
    }

    @Test
    void depth_beyondTheMaximumIsTooDeep() {
        Map<String, Object> props = Map.of(
                "m", Map.of("a", Map.of("b", Map.of("c", 1L))),
                "l", List.of(List.of(List.of())));

        assertThat(check(withProperties(props))).extracting(Violation::path, Violation::code)
                .containsExactlyInAnyOrder(tuple("properties.m.a.b", "too_deep"), tuple("properties.l[0][0]", "too_deep"));
    }

    @Test
    void depth_oneMeansFlat() {
        LimitsChecker flat = new LimitsChecker(new Limits(1024, 5, 1, 20, 10, Duration.ofMinutes(5)));

        assertThat(flat.check(withProperties(Map.of("a", 1L, "b", "s")), NOW)).isEmpty();
        assertThat(flat.check(withProperties(Map.of("a", Map.of())), NOW))
                .extracting(Violation::path, Violation::code).containsExactly(tuple("properties.a", "too_deep"));
        assertThat(flat.check(withProperties(Map.of("a", List.of(1L))), NOW))
                .extracting(Violation::path, Violation::code).containsExactly(tuple("properties.a", "too_deep"));
    }

    @Test
    void nestedCollections_tooManyEntries() {
        Map<String, Object> wide = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            wide.put("k" + i, i);
        }

        assertThat(check(withProperties(Map.of("m", wide, "l", List.of(1, 2, 3, 4, 5, 6)))))
                .extracting(Violation::path, Violation::code)
                .containsExactlyInAnyOrder(tuple("properties.m", "too_many"), tuple("properties.l", "too_many"));
    }

    @Test
    void strings_upToTheMaximumLengthAreAccepted() {
        assertThat(check(withProperties(Map.of("s", "x".repeat(20))))).isEmpty();
    }

    @Test
    void strings_tooLongAnywhereAreNamed() {
        String tooLong = "x".repeat(21);
        Map<String, Object> props = Map.of(
                "s", tooLong,
                "m", Map.of("inner", tooLong),
                "l", List.of("ok", tooLong));

        List<Violation> v = check(withProperties(props));

        assertThat(v).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("properties.s", "too_long"), tuple("properties.m.inner", "too_long"),
                tuple("properties.l[1]", "too_long"));
        assertThat(v.get(0).message()).contains("21").contains("20");
    }

    @Test
    void strings_tooLongInTheContextAreNamed() {
        String tooLong = "x".repeat(21);
        Event e = new Event("e", "t", "u", NOW, Map.of(),
                new EventContext(tooLong, tooLong, tooLong, tooLong, Map.of("ref", tooLong)));

        assertThat(check(e)).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("context.ip", "too_long"), tuple("context.userAgent", "too_long"),
                tuple("context.country", "too_long"), tuple("context.device", "too_long"),
                tuple("context.ref", "too_long"));
    }

    @Test
    void context_tooManyExtraEntries() {
        Map<String, String> extra = new HashMap<>();
        for (int i = 0; i < 51; i++) {
            extra.put("k" + i, "v");
        }

        assertThat(check(new Event("e", "t", "u", NOW, Map.of(), new EventContext(null, null, null, null, extra))))
                .extracting(Violation::path, Violation::code).containsExactly(tuple("context", "too_many"));
    }

    @Test
    void propertyNames_emptyOrLongerThan256AreRefused() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("", 1);
        props.put("k".repeat(257), 1);
        props.put("n".repeat(256), 1);
        props.put("nested", Map.of("", 1));
        LimitsChecker defaults = new LimitsChecker(Limits.defaults());

        assertThat(defaults.check(withProperties(props), NOW)).extracting(Violation::code)
                .containsExactlyInAnyOrder("invalid_name", "too_long", "invalid_name");
    }

    @Test
    void propertyNames_longerThanMaxStringLengthAreTooLong() {
        // Limits: "maxStringLength: characters in any string value or key"
        String key = "k".repeat(21);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(key, 1);
        props.put("nested", Map.of(key, 1));

        assertThat(check(withProperties(props))).extracting(Violation::code)
                .containsExactly("too_long", "too_long");
    }

    @Test
    void contextKeys_emptyOrTooLongAreRefused() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("", "v");
        extra.put("k".repeat(257), "v");

        assertThat(new LimitsChecker(Limits.defaults()).check(
                new Event("e", "t", "u", NOW, Map.of(), new EventContext(null, null, null, null, extra)), NOW))
                .extracting(Violation::code).containsExactlyInAnyOrder("invalid_name", "too_long");
    }

    @Test
    void numbers_nanAndInfinityAreInvalid() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("nan", Double.NaN);
        props.put("inf", Double.POSITIVE_INFINITY);
        props.put("negInf", Double.NEGATIVE_INFINITY);
        props.put("floatNan", Float.NaN);
        props.put("list", List.of(Double.NaN));

        assertThat(check(withProperties(props))).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("properties.nan", "invalid_number"), tuple("properties.inf", "invalid_number"),
                tuple("properties.negInf", "invalid_number"), tuple("properties.floatNan", "invalid_number"),
                tuple("properties.list[0]", "invalid_number"));
    }

    @Test
    void numbers_everySupportedNumericTypeIsAccepted() {
        Map<String, Object> props = Map.of("a", 1, "b", 2L, "c", (short) 3, "d", (byte) 4, "e",
                Double.MAX_VALUE);
        Map<String, Object> more = Map.of("f", 1.5f, "g", new BigDecimal("1e400"), "h",
                new BigInteger("123456789012345678901234567890"), "i", -0.0);

        assertThat(check(withProperties(props))).isEmpty();
        assertThat(check(withProperties(more))).isEmpty();
    }

    @Test
    void values_unsupportedTypesAreNamed() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("when", Instant.EPOCH);
        props.put("id", UUID.randomUUID());
        props.put("char", 'c');
        props.put("counter", new AtomicLong(1));
        props.put("set", Set.of("a"));

        List<Violation> v = check(withProperties(props));

        assertThat(v).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("properties.when", "type"), tuple("properties.id", "type"), tuple("properties.char", "type"),
                tuple("properties.counter", "type"), tuple("properties.set", "type"));
        assertThat(v).filteredOn(x -> x.path().equals("properties.when")).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("Instant"));
    }

    @Test
    void values_unsupportedTypesInsideCollectionsAreNamed() {
        Map<String, Object> props = Map.of(
                "l", List.of("ok", new Object()),
                "m", Map.of("arr", new int[] {1}));

        assertThat(check(withProperties(props))).extracting(Violation::path, Violation::code)
                .containsExactlyInAnyOrder(tuple("properties.l[1]", "type"), tuple("properties.m.arr", "type"));
    }

    @Test
    void values_mapWithNonStringKeysIsAType() {
        Map<Object, Object> odd = new HashMap<>();
        odd.put(1, "one");

        assertThat(check(withProperties(Map.of("odd", odd)))).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("properties.odd", "type"));
    }

    @Test
    void values_listsMayHoldNulls() {
        assertThat(check(withProperties(Map.of("l", new ArrayList<>(Arrays.asList(null, 1L)))))).isEmpty();
    }

    @Test
    void violations_areCappedForHostileEvents() {
        LimitsChecker wide = new LimitsChecker(new Limits(1024, 500, 3, 16, 10, Duration.ofMinutes(5)));
        Map<String, Object> props = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            props.put("p" + i, Double.NaN);
        }

        assertThat(wide.check(withProperties(props), NOW)).hasSizeLessThanOrEqualTo(50).isNotEmpty();
    }

    @Test
    void checkSize_refusesOnlyAboveTheMaximum() {
        assertThat(checker.checkSize(1024)).isNull();
        assertThat(checker.checkSize(1025)).satisfies(v -> {
            assertThat(v.code()).isEqualTo("too_large");
            assertThat(v.message()).contains("1025").contains("1024");
        });
    }
}
