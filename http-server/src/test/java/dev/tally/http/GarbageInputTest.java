package dev.tally.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated hostile input (seeded, so a failure replays): random bytes, deep nesting, huge strings, wrong
 * types, bad timestamps, undecodable HTTP. Every answer is a 4xx with the JSON error shape (never a 500),
 * garbage events are never accepted, and the server keeps serving afterwards.
 */
class GarbageInputTest {
    private static final long SEED = 0x7A11L;
    private static final String[] FIELDS = {"eventId", "eventType", "userId", "timestamp", "properties", "context",
            "projectId"};

    @TempDir
    static Path dir;
    static TestServer s;
    static TestServer.Keys k;

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
        k = s.project("garbage");
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    // ---- generators ----

    static String randomBytesAsText(Random r) {
        byte[] b = new byte[r.nextInt(3000)];
        r.nextBytes(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(3000)];
        r.nextBytes(b);
        return b;
    }

    static String deepNesting(Random r) {
        int depth = 65 + r.nextInt(20_000);
        boolean objects = r.nextBoolean();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            b.append(objects ? "{\"a\":" : "[");
        }
        b.append("1");
        for (int i = 0; i < depth; i++) {
            b.append(objects ? "}" : "]");
        }
        return b.toString();
    }

    static String deepProperties(Random r) {
        int depth = 6 + r.nextInt(55);
        return "{\"eventId\":\"deep-" + r.nextInt(1000) + "\",\"eventType\":\"x\",\"properties\":{\"a\":"
                + "[".repeat(depth) + "1" + "]".repeat(depth) + "}}";
    }

    static String huge(Random r) {
        int length = 5_000 + r.nextInt(2_000_000);
        String field = FIELDS[r.nextInt(3)]; // eventId, eventType or userId
        String value = "x".repeat(length);
        return "{\"eventId\":\"h" + r.nextInt(1000) + "\",\"eventType\":\"x\",\"" + field + "\":\"" + value + "\"}";
    }

    static String hugeKey(Random r) {
        return "{\"eventId\":\"hk\",\"eventType\":\"x\",\"properties\":{\"" + "k".repeat(4097 + r.nextInt(50_000))
                + "\":1}}";
    }

    static String wrongValue(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> "123";
            case 1 -> "true";
            case 2 -> "[1,\"a\",null]";
            case 3 -> "{\"nested\":{\"x\":1}}";
            case 4 -> "-1.5e300";
            case 5 -> "\"\\u0000\\uD800\"";
            case 6 -> "1" + "0".repeat(70);
            default -> "null";
        };
    }

    static String wrongTypes(Random r) {
        // eventType is never a valid string here, so the event can never be accepted
        StringBuilder b = new StringBuilder("{\"eventType\":").append(r.nextBoolean() ? wrongValue(r) : "\"9bad type\"");
        for (String f : FIELDS) {
            if (!f.equals("eventType") && r.nextBoolean()) {
                b.append(",\"").append(f).append("\":").append(wrongValue(r));
            }
        }
        return b.append("}").toString();
    }

    static final String[] BAD_TIMESTAMPS = {"\"2024-13-45T99:00:00Z\"", "\"now\"", "\"\"", "1e400", "-99999999999999999",
            "99999999999999999999999", "true", "[2024]", "{\"t\":1}", "\"2024-01-15\"", "\"15/01/2024 10:00\"",
            "\"2024-01-15T10:00:00+25:00\"", "-62135596800001", "\"3024-01-15T10:00:00Z\""};

    static String badTimestamp(Random r) {
        return "{\"eventId\":\"t" + r.nextInt(1_000_000) + "\",\"eventType\":\"x\",\"timestamp\":"
                + BAD_TIMESTAMPS[r.nextInt(BAD_TIMESTAMPS.length)] + "}";
    }

    static String brokenJson(Random r) {
        String[] pieces = {"{", "}", "[", "]", ",", ":", "\"eventId\"", "\"x\"", "1", "nul", "NaN", "Infinity", "'a'",
                "/*c*/", "\\u12", "\"\\q\"", "\u0000", "tru", "0x10", "-", "1.2.3"};
        StringBuilder b = new StringBuilder("{");
        for (int i = 0, n = 1 + r.nextInt(30); i < n; i++) {
            b.append(pieces[r.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    static String randomJsonValue(Random r, int depth) {
        int pick = depth > 4 ? r.nextInt(4) : r.nextInt(6);
        return switch (pick) {
            case 0 -> Integer.toString(r.nextInt());
            case 1 -> "\"" + randomToken(r) + "\"";
            case 2 -> r.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(r.nextGaussian() * 1e6);
            case 4 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(5); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(randomJsonValue(r, depth + 1));
                }
                yield b.append("]").toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                for (int i = 0, n = r.nextInt(5); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append("\"").append(randomToken(r)).append("\":")
                            .append(randomJsonValue(r, depth + 1));
                }
                yield b.append("}").toString();
            }
        };
    }

    static String randomToken(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = r.nextInt(12); i < n; i++) {
            int c = r.nextInt(4) == 0 ? 0x80 + r.nextInt(0x3000) : 0x20 + r.nextInt(0x5E);
            if (c == '"' || c == '\\') {
                c = 'q';
            }
            b.appendCodePoint(c);
        }
        return b.toString();
    }

    /** Invalid single-event bodies: every one must be refused with a 4xx. */
    static final List<Function<Random, String>> EVENT_GARBAGE = List.of(GarbageInputTest::randomBytesAsText,
            GarbageInputTest::deepNesting, GarbageInputTest::deepProperties, GarbageInputTest::huge,
            GarbageInputTest::hugeKey, GarbageInputTest::wrongTypes, GarbageInputTest::badTimestamp,
            GarbageInputTest::brokenJson, r -> randomJsonValue(r, 0).startsWith("{") ? wrongTypes(r) : randomJsonValue(r, 0));

    // ---- the runs ----

    @Test
    void singleEventGarbage_isAlways4xxWithTheErrorShape() {
        Random r = new Random(SEED);
        for (int i = 0; i < 150; i++) {
            int kind = r.nextInt(EVENT_GARBAGE.size());
            String body = EVENT_GARBAGE.get(kind).apply(r);
            var reply = s.post("/v1/events", k.ingest(), body.getBytes(StandardCharsets.UTF_8));
            assertRefused(reply, "case " + i + " kind " + kind + ": " + abbreviate(body));
        }
        assertStillServing();
    }

    @Test
    void batchGarbage_isRefusedOrEveryEventRejected() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 100; i++) {
            String body;
            boolean wrapped = r.nextBoolean();
            if (wrapped) {
                StringBuilder b = new StringBuilder("{\"events\":[");
                for (int e = 0, n = 1 + r.nextInt(20); e < n; e++) {
                    String event = EVENT_GARBAGE.get(3 + r.nextInt(EVENT_GARBAGE.size() - 3)).apply(r);
                    b.append(e == 0 ? "" : ",").append(event);
                }
                body = b.append("]}").toString();
            } else {
                body = EVENT_GARBAGE.get(r.nextInt(EVENT_GARBAGE.size())).apply(r);
            }
            var reply = s.post("/v1/events/batch", k.ingest(), body.getBytes(StandardCharsets.UTF_8));
            String what = "case " + i + ": " + abbreviate(body);
            if (reply.status() == 200) {
                JsonNode json = reply.json();
                assertThat(json.get("accepted").asLong()).as(what).isZero();
                assertThat(json.get("duplicates").asLong()).as(what).isZero();
            } else {
                assertRefused(reply, what);
            }
        }
        assertStillServing();
    }

    @Test
    void definitionGarbage_metricsSchemasProjects_isAlways4xx() {
        Random r = new Random(SEED + 2);
        String[] schemaKeywords = {"type", "properties", "required", "enum", "items", "minimum", "$ref", "pattern"};
        for (int i = 0; i < 150; i++) {
            String body;
            String path;
            String key;
            switch (r.nextInt(3)) {
                case 0 -> {
                    path = "/v1/metrics";
                    key = k.admin();
                    body = r.nextBoolean() ? EVENT_GARBAGE.get(r.nextInt(EVENT_GARBAGE.size())).apply(r)
                            : "{\"name\":" + wrongValue(r) + ",\"aggregation\":" + randomJsonValue(r, 3)
                            + ",\"dimensions\":" + randomJsonValue(r, 3) + "}";
                }
                case 1 -> {
                    path = "/v1/schemas/" + (r.nextBoolean() ? "purchase" : URLEncoder.encode(randomToken(r) + "!",
                            StandardCharsets.UTF_8));
                    key = k.admin();
                    String keyword = schemaKeywords[r.nextInt(schemaKeywords.length)];
                    body = r.nextBoolean() ? EVENT_GARBAGE.get(r.nextInt(3)).apply(r)
                            : "{\"" + keyword + "\":" + wrongSchemaValue(keyword, r) + "}";
                }
                default -> {
                    path = "/v1/projects";
                    key = TestServer.ADMIN_KEY;
                    body = r.nextBoolean() ? EVENT_GARBAGE.get(r.nextInt(EVENT_GARBAGE.size())).apply(r)
                            : "{\"projectId\":" + (r.nextBoolean() ? wrongValue(r) : "\"" + randomToken(r) + "!\"") + "}";
                }
            }
            var reply = s.post(path, key, body.getBytes(StandardCharsets.UTF_8));
            assertRefused(reply, "case " + i + " " + path + ": " + abbreviate(body));
        }
        assertStillServing();
    }

    @Test
    void queryGarbage_isAlways4xx() {
        Random r = new Random(SEED + 3);
        String[] params = {"startTime", "endTime", "granularity", "groupBy", "filter", "timezone", "limit", "x"};
        for (int i = 0; i < 150; i++) {
            StringBuilder q = new StringBuilder("startTime=").append(enc(garbageTime(r)));
            for (int p = 0, n = r.nextInt(6); p < n; p++) {
                q.append('&').append(params[r.nextInt(params.length)]).append('=').append(enc(randomToken(r)));
            }
            String metric = r.nextBoolean() ? "event_count" : enc(randomToken(r) + "m");
            var reply = s.get("/v1/metrics/" + metric + "?" + q, k.query());
            assertRefused(reply, "case " + i + ": " + q);
        }
        for (String q : List.of("limit=-1", "limit=99999999999", "limit=1e3", "limit=%20x", "limit=1&limit=2", "x=1")) {
            assertRefused(s.get("/v1/events/rejected?" + q, k.query()), q);
        }
        assertStillServing();
    }

    @Test
    void undecodableHttp_isAnsweredAndTheServerKeepsServing() {
        Random r = new Random(SEED + 4);
        List<byte[]> requests = new ArrayList<>();
        requests.add(("GET /v1/metrics/event_count?startTime=%ZZ&endTime=%E0%A4%A HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + k.query() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        requests.add(("GET /v1/schemas/%C0%AF/versions/%FF HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + k.query()
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        requests.add(("POST /v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\nAuthorization: Bearer " + k.ingest()
                + "\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
        requests.add(("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        requests.add(("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        requests.add("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 20; i++) {
            byte[] junk = randomBytes(r);
            byte[] withEnd = new byte[junk.length + 4];
            System.arraycopy(junk, 0, withEnd, 0, junk.length);
            System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, withEnd, junk.length, 4);
            requests.add(withEnd);
        }
        int crafted = requests.size();
        for (int i = 0; i < requests.size(); i++) {
            byte[] request = requests.get(i);
            RawHttp.Response reply;
            try {
                reply = RawHttp.exchange(s.port, request);
            } catch (java.io.UncheckedIOException closedWithoutAnswer) {
                // random bytes that are not even a request line may just be hung up on; the crafted ones are answered
                assertThat(i).as("crafted request %d answered", i).isGreaterThanOrEqualTo(crafted);
                continue;
            }
            String what = abbreviate(new String(request, StandardCharsets.ISO_8859_1));
            assertThat(reply.status()).as(what).isBetween(400, 499);
            if (!reply.body().isEmpty()) {
                assertThat(reply.body()).as(what).contains("\"error\"");
            }
        }
        assertStillServing();
    }

    /** A value the JSON Schema meta-schema refuses for the keyword (or, for $ref, one Tally refuses). */
    static String wrongSchemaValue(String keyword, Random r) {
        String[] options = switch (keyword) {
            case "type" -> new String[]{"12", "\"nonsense\"", "[1]", "{}"};
            case "properties" -> new String[]{"5", "\"x\"", "[1]", "{\"a\":5}"};
            case "required" -> new String[]{"\"amount\"", "7", "[1]", "{}"};
            case "enum" -> new String[]{"5", "\"x\"", "{}"};
            case "items" -> new String[]{"5", "\"x\""};
            case "minimum" -> new String[]{"\"low\"", "{}", "[]"};
            case "$ref" -> new String[]{"\"http://example.invalid/s.json\"", "5"};
            default -> new String[]{"\"([\"", "5", "[]"};
        };
        return options[r.nextInt(options.length)];
    }

    static String garbageTime(Random r) {
        String[] times = {"yesterday", "2024-02-30", "2024-01-15T25:00:00Z", "", "1e10", "-", "2024-01-15T10:00:00+99:00",
                "9999999999999999999", "0000-00-00", "2024-W03"};
        return r.nextBoolean() ? times[r.nextInt(times.length)] : randomToken(r) + "Z";
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void assertRefused(TestServer.Reply reply, String what) {
        assertThat(reply.status()).as("%s -> %s", what, abbreviate(reply.body())).isBetween(400, 499);
        assertThat(reply.contentType()).as(what).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        reply.errorCode();
    }

    static void assertStillServing() {
        assertThat(s.get("/health", null).status()).isEqualTo(200);
        String id = "ok-" + System.nanoTime();
        assertThat(s.post("/v1/events", k.ingest(), "{\"eventId\":\"" + id + "\",\"eventType\":\"fine\"}").status())
                .isEqualTo(202);
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }
}
