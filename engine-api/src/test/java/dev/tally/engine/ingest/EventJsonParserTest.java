package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.EventBody;
import dev.tally.api.ParsedEvent;
import dev.tally.api.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.tuple;

class EventJsonParserTest {
    private static final String P = "shop";
    private static final int MAX_BATCH = 10;

    private static EventBody parse(String json, Boolean batch) {
        return EventJsonParser.parse(json, batch, P, MAX_BATCH);
    }

    private static ParsedEvent single(String json) {
        EventBody body = parse(json, false);
        assertThat(body.bodyViolations()).isEmpty();
        assertThat(body.events()).hasSize(1);
        return body.events().get(0);
    }

    private static Violation bodyViolation(String json, Boolean batch) {
        EventBody body = parse(json, batch);
        assertThat(body.events()).isEmpty();
        assertThat(body.bodyViolations()).hasSize(1);
        return body.bodyViolations().get(0);
    }

    // ---- shapes ---------------------------------------------------------------------------------------

    @Test
    void single_fullEventIsRead() {
        ParsedEvent p = single("""
                {"eventId":"ord-1","eventType":"purchase","userId":"u-1","timestamp":"2024-01-15T10:30:00Z",
                 "properties":{"amount":19.99,"qty":2,"paid":true,"note":null,"tags":["a","b"],
                               "nested":{"k":"v"},"big":12345678901234567890123},
                 "context":{"ip":"203.0.113.7","userAgent":"curl","country":"DE","device":"mobile","ref":"ads"}}
                """);

        assertThat(p.isValid()).isTrue();
        assertThat(p.eventId()).isEqualTo("ord-1");
        assertThat(p.raw()).contains("\"ord-1\"");
        Event e = p.event();
        assertThat(e.eventId()).isEqualTo("ord-1");
        assertThat(e.eventType()).isEqualTo("purchase");
        assertThat(e.userId()).isEqualTo("u-1");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2024-01-15T10:30:00Z"));
        assertThat(e.properties()).containsEntry("amount", 19.99).containsEntry("qty", 2L)
                .containsEntry("paid", true).containsEntry("note", null).containsEntry("tags", List.of("a", "b"))
                .containsEntry("nested", Map.of("k", "v"))
                .containsEntry("big", new BigDecimal("12345678901234567890123"));
        assertThat(e.context().ip()).isEqualTo("203.0.113.7");
        assertThat(e.context().userAgent()).isEqualTo("curl");
        assertThat(e.context().country()).isEqualTo("DE");
        assertThat(e.context().device()).isEqualTo("mobile");
        assertThat(e.context().extra()).isEqualTo(Map.of("ref", "ads"));
    }

    @Test
    void single_minimalEventLeavesOptionalFieldsEmpty() {
        ParsedEvent p = single("{\"eventId\":\"e1\",\"eventType\":\"t\"}");

        assertThat(p.isValid()).isTrue();
        assertThat(p.event().userId()).isNull();
        assertThat(p.event().timestamp()).as("defaulted later, at ingest").isNull();
        assertThat(p.event().properties()).isEmpty();
        assertThat(p.event().context().extra()).isEmpty();
    }

    @Test
    void single_nullOptionalFieldsAreLikeAbsentOnes() {
        ParsedEvent p = single("""
                {"eventId":"e1","eventType":"t","userId":null,"timestamp":null,"properties":null,
                 "context":{"country":null}}
                """);

        assertThat(p.isValid()).isTrue();
        assertThat(p.event().context().country()).isNull();
    }

    @Test
    void batch_eventsAreReadInOrder() {
        EventBody body = parse("""
                {"events":[{"eventId":"a","eventType":"t"},{"eventId":"b","eventType":"t"},
                           {"eventId":"c","eventType":"t"}]}
                """, true);

        assertThat(body.bodyViolations()).isEmpty();
        assertThat(body.events()).extracting(ParsedEvent::eventId).containsExactly("a", "b", "c");
        assertThat(body.events()).allMatch(ParsedEvent::isValid);
    }

    @Test
    void batch_emptyListIsNoEvents() {
        EventBody body = parse("{\"events\":[]}", true);

        assertThat(body.bodyViolations()).isEmpty();
        assertThat(body.events()).isEmpty();
    }

    @Test
    void shapeDecides_whenBatchIsUnspecified() {
        EventBody batch = parse("{\"events\":[{\"eventId\":\"a\",\"eventType\":\"t\"}]}", null);
        EventBody single = parse("{\"eventId\":\"a\",\"eventType\":\"t\"}", null);

        assertThat(batch.events()).extracting(ParsedEvent::eventId).containsExactly("a");
        assertThat(batch.events().get(0).isValid()).isTrue();
        assertThat(single.events()).extracting(ParsedEvent::eventId).containsExactly("a");
        assertThat(single.events().get(0).isValid()).isTrue();
    }

    @Test
    void shapeDecides_eventWithFieldNamedEventsIsASingleEventWithAnUnknownField() {
        EventBody body = parse("{\"eventId\":\"a\",\"eventType\":\"t\",\"events\":[]}", null);

        assertThat(body.events()).singleElement().satisfies(p -> assertThat(p.violations())
                .extracting(Violation::path, Violation::code).containsExactly(tuple("events", "unknown_field")));
    }

    @Test
    void batch_singleEventBodyIsRefused() {
        Violation v = bodyViolation("{\"eventId\":\"a\",\"eventType\":\"t\"}", true);

        assertThat(v.path()).isEqualTo("events");
        assertThat(v.code()).isEqualTo("type");
    }

    @Test
    void batch_eventsNotAnArrayIsRefused() {
        Violation v = bodyViolation("{\"events\":{\"eventId\":\"a\"}}", true);

        assertThat(v.path()).isEqualTo("events");
        assertThat(v.code()).isEqualTo("type");
    }

    @Test
    void single_batchBodyIsAnEventWithViolations() {
        ParsedEvent p = single("{\"events\":[{\"eventId\":\"a\",\"eventType\":\"t\"}]}");

        assertThat(p.isValid()).isFalse();
        assertThat(p.event()).isNull();
        assertThat(p.violations()).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("events", "unknown_field"), tuple("eventId", "required"), tuple("eventType", "required"));
    }

    @Test
    void batch_tooLargeIsRefusedAsAWhole() {
        StringBuilder sb = new StringBuilder("{\"events\":[");
        for (int i = 0; i <= MAX_BATCH; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"eventId\":\"e").append(i).append("\",\"eventType\":\"t\"}");
        }
        Violation v = bodyViolation(sb.append("]}").toString(), true);

        assertThat(v.path()).isEqualTo("events");
        assertThat(v.code()).isEqualTo("too_many");
        assertThat(v.message()).contains(String.valueOf(MAX_BATCH + 1)).contains(String.valueOf(MAX_BATCH));
    }

    @Test
    void batch_exactlyTheMaximumIsAccepted() {
        StringBuilder sb = new StringBuilder("{\"events\":[");
        for (int i = 0; i < MAX_BATCH; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"eventId\":\"e").append(i).append("\",\"eventType\":\"t\"}");
        }

        assertThat(parse(sb.append("]}").toString(), true).events()).hasSize(MAX_BATCH);
    }

    @Test
    void batch_unknownTopLevelFieldIsRefused() {
        Violation v = bodyViolation("{\"events\":[],\"apiKey\":\"x\"}", true);

        assertThat(v.path()).isEqualTo("apiKey");
        assertThat(v.code()).isEqualTo("unknown_field");
    }

    @Test
    void batch_nonObjectElementsAreRejectedOneByOne() {
        EventBody body = parse("{\"events\":[{\"eventId\":\"a\",\"eventType\":\"t\"},42,\"x\",null,[],true]}", true);

        assertThat(body.bodyViolations()).isEmpty();
        assertThat(body.events()).hasSize(6);
        assertThat(body.events().get(0).isValid()).isTrue();
        assertThat(body.events().subList(1, 6)).allSatisfy(p -> {
            assertThat(p.event()).isNull();
            assertThat(p.eventId()).isNull();
            assertThat(p.violations()).extracting(Violation::code).containsExactly("type");
        });
        assertThat(body.events().get(1).raw()).isEqualTo("42");
    }

    @Test
    void batch_badElementKeepsItsRecoverableEventId() {
        EventBody body = parse("{\"events\":[{\"eventId\":\"a\",\"eventType\":5},{\"eventId\":\"b\",\"eventType\":\"t\"}]}",
                true);

        assertThat(body.events()).extracting(ParsedEvent::eventId).containsExactly("a", "b");
        assertThat(body.events().get(0).violations()).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("eventType", "type"));
        assertThat(body.events().get(0).raw()).contains("\"eventType\":5");
        assertThat(body.events().get(1).isValid()).isTrue();
    }

    // ---- malformed bodies -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"eventId\":}", "not json", "{\"a\":1}}", "{'eventId':'a'}", "{\"a\":01}",
            "[1,2", "{\"a\":\"\\x\"}", "{\"eventId\":\"a\" \"eventType\":\"t\"}"})
    void malformedJson_isABodyViolation(String json) {
        EventBody body = parse(json, null);

        assertThat(body.events()).isEmpty();
        assertThat(body.bodyViolations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEmpty();
            assertThat(v.code()).isEqualTo("malformed_json");
            assertThat(v.message()).doesNotContain("\n").hasSizeLessThan(200);
        });
    }

    @Test
    void emptyBody_isRequired() {
        assertThat(bodyViolation("", null).code()).isEqualTo("required");
        assertThat(bodyViolation("   \n ", true).code()).isEqualTo("required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"eventId\":\"a\",\"eventType\":\"t\"}]", "42", "\"event\"", "null", "true"})
    void nonObjectBody_isATypeViolation(String json) {
        Violation v = bodyViolation(json, null);

        assertThat(v.code()).isEqualTo("type");
        assertThat(v.path()).isEmpty();
    }

    @Test
    void hostileNesting_isRefusedWithoutThrowing() {
        String deep = "{\"eventId\":\"a\",\"eventType\":\"t\",\"properties\":{\"x\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}}";

        assertThat(bodyViolation(deep, false).code()).isEqualTo("malformed_json");
    }

    @Test
    void hugeNumber_isRefusedWithoutThrowing() {
        String json = "{\"eventId\":\"a\",\"eventType\":\"t\",\"properties\":{\"n\":" + "9".repeat(5_000) + "}}";

        assertThat(bodyViolation(json, false).code()).isEqualTo("malformed_json");
    }

    // ---- field types ----------------------------------------------------------------------------------

    @Test
    void missingRequiredFields_areNamed() {
        ParsedEvent p = single("{\"userId\":\"u\"}");

        assertThat(p.event()).isNull();
        assertThat(p.violations()).extracting(Violation::path, Violation::code)
                .containsExactlyInAnyOrder(tuple("eventId", "required"), tuple("eventType", "required"));
    }

    @Test
    void wrongFieldTypes_areNamedEach() {
        ParsedEvent p = single("""
                {"eventId":12,"eventType":["t"],"userId":{"id":1},"timestamp":true,
                 "properties":[1,2],"context":"mobile"}
                """);

        assertThat(p.event()).isNull();
        assertThat(p.eventId()).isNull();
        assertThat(p.violations()).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("eventId", "type"), tuple("eventType", "type"), tuple("userId", "type"),
                tuple("timestamp", "type"), tuple("properties", "type"), tuple("context", "type"));
        assertThat(p.violations().get(0).message()).contains("number");
    }

    @Test
    void nonStringContextValue_isNamedByKey() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"context\":{\"country\":49,\"ab\":[1]}}");

        assertThat(p.violations()).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("context.country", "type"), tuple("context.ab", "type"));
    }

    @Test
    void unknownFields_areEachNamed() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"event_type\":\"t\",\"props\":{}}");

        assertThat(p.event()).isNull();
        assertThat(p.eventId()).isEqualTo("a");
        assertThat(p.violations()).extracting(Violation::path, Violation::code).containsExactlyInAnyOrder(
                tuple("event_type", "unknown_field"), tuple("props", "unknown_field"));
    }

    @Test
    void unknownField_withHugeNameIsShortened() {
        String name = "x".repeat(4_000);
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"" + name + "\":1}");

        assertThat(p.violations()).singleElement().satisfies(v -> {
            assertThat(v.code()).isEqualTo("unknown_field");
            assertThat(v.path()).hasSizeLessThan(100);
            assertThat(v.message()).hasSizeLessThan(300);
        });
        assertThat(p.raw()).hasSizeLessThanOrEqualTo(4096 + 3);
    }

    @Test
    void nameLongerThanTheParserAllows_isMalformed() {
        Violation v = bodyViolation("{\"eventId\":\"a\",\"eventType\":\"t\",\"" + "x".repeat(5_000) + "\":1}", false);

        assertThat(v.code()).isEqualTo("malformed_json");
    }

    // ---- timestamps -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\"2024-01-15T10:30:00Z\"", "\"2024-01-15T10:30:00.000Z\"",
            "\"2024-01-15T11:30:00+01:00\"", "\"2024-01-15T05:00:00-05:30\"", "1705314600000"})
    void timestamp_isoAndEpochMillisAreTheSameInstant(String ts) {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":" + ts + "}");

        assertThat(p.violations()).isEmpty();
        assertThat(p.event().timestamp()).isEqualTo(Instant.parse("2024-01-15T10:30:00Z"));
    }

    @Test
    void timestamp_fractionalSecondsAreKept() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":\"2024-01-15T10:30:00.123Z\"}");

        assertThat(p.event().timestamp()).isEqualTo(Instant.parse("2024-01-15T10:30:00.123Z"));
    }

    @Test
    void timestamp_negativeEpochMillisIsReadAndLeftToTheLimits() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":-1}");

        assertThat(p.event().timestamp()).isEqualTo(Instant.ofEpochMilli(-1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"yesterday\"", "\"2024-01-15\"", "\"2024-01-15T10:30:00\"", "\"2024-13-45T10:30:00Z\"",
            "\"1705314600000\"", "\"\"", "\"2024-01-15 10:30:00Z\""})
    void timestamp_unreadableStringIsInvalidFormat(String ts) {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":" + ts + "}");

        assertThat(p.event()).isNull();
        assertThat(p.violations()).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("timestamp", "invalid_format"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1705314600000.5", "1.7e12", "{}", "[]", "false"})
    void timestamp_nonIntegralOrNonStringIsATypeViolation(String ts) {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":" + ts + "}");

        assertThat(p.violations()).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("timestamp", "type"));
    }

    @Test
    void timestamp_beyondLongIsOutOfRange() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":99999999999999999999999}");

        assertThat(p.violations()).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("timestamp", "out_of_range"));
    }

    @Test
    void timestamp_extremeEpochMillisDoNotThrow() {
        for (long ms : new long[] {Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThatCode(() -> parse("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":" + ms + "}", false))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void timestamp_longGarbageIsShortenedInTheMessage() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":\"" + "z".repeat(10_000) + "\"}");

        assertThat(p.violations()).singleElement().satisfies(v -> assertThat(v.message()).hasSizeLessThan(300));
    }

    // ---- project --------------------------------------------------------------------------------------

    @Test
    void projectId_matchingTheKeyIsAccepted() {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"projectId\":\"shop\"}");

        assertThat(p.isValid()).isTrue();
    }

    @Test
    void projectId_nullIsLikeAbsent() {
        assertThat(single("{\"eventId\":\"a\",\"eventType\":\"t\",\"projectId\":null}").isValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"other\"", "\"SHOP\"", "\"\"", "42", "[\"shop\"]", "{\"id\":\"shop\"}"})
    void projectId_mismatchIsForbidden(String projectId) {
        ParsedEvent p = single("{\"eventId\":\"a\",\"eventType\":\"t\",\"projectId\":" + projectId + "}");

        assertThat(p.event()).isNull();
        assertThat(p.eventId()).isEqualTo("a");
        assertThat(p.violations()).extracting(Violation::path, Violation::code)
                .containsExactly(tuple("projectId", "forbidden_project"));
    }

    @Test
    void projectId_mismatchInsideABatchIsPerEvent() {
        EventBody body = parse("{\"events\":[{\"eventId\":\"a\",\"eventType\":\"t\",\"projectId\":\"other\"},"
                + "{\"eventId\":\"b\",\"eventType\":\"t\",\"projectId\":\"shop\"}]}", true);

        assertThat(body.events().get(0).violations()).extracting(Violation::code).containsExactly("forbidden_project");
        assertThat(body.events().get(1).isValid()).isTrue();
    }

    // ---- never throws ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "[]", "{\"events\":null}", "{\"events\":[null]}", "{\"events\":[[[]]]}",
            "{\"eventId\":null,\"eventType\":null}", "{\"properties\":{\"\":{\"\":[null,{}]}}}",
            "{\"context\":{\"\":\"\"}}", "\uFEFF{}", "{\"eventId\":\"\\ud800\"}", "\u0000",
            "{\"timestamp\":\"+1000000000-01-01T00:00:00Z\"}",
            "{\"timestamp\":\"+1000000001-01-01T00:00:00Z\"}", "{\"timestamp\":\"-1000000001-01-01T00:00:00Z\"}", "{\"timestamp\":\"2024-01-15T10:30:00+25:00\"}",
            "{\"properties\":{\"n\":1e999999}}", "{\"properties\":{\"n\":-0.0}}"})
    void parse_neverThrows(String json) {
        for (Boolean batch : new Boolean[] {null, Boolean.TRUE, Boolean.FALSE}) {
            assertThatCode(() -> {
                EventBody body = EventJsonParser.parse(json, batch, P, MAX_BATCH);
                assertThat(body.events().isEmpty() || body.bodyViolations().isEmpty()).isTrue();
            }).as("body %s, batch=%s", json, batch).doesNotThrowAnyException();
        }
    }
}
