package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.EventContext;
import dev.tally.api.Granularity;
import dev.tally.api.IngestResult;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.testkit.TestClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated garbage — random JSON text, random bytes, hostile events — goes into one engine that already
 * holds a known set of accepted events. Every piece of garbage must come back as a rejection with reasons
 * (or, if it happens to be valid, an acceptance); no exception other than a body-level
 * {@link InvalidRequestException} may escape, and the known events' numbers must not move.
 */
class GarbageInputTest {
    private static final Instant NOW = Instant.parse("2024-01-15T12:00:00Z");
    private static Path dir;
    private static Tally tally;
    private static final int SENTINELS = 500;

    @BeforeContainer
    static void openWithKnownEvents() throws IOException {
        dir = Files.createTempDirectory("tally-garbage-");
        tally = Tally.builder().dataDir(dir).clock(TestClock.at(NOW)).build();
        tally.registerSchema("sentinel", "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"number\",\"required\":true}}}");
        tally.defineMetric(MetricDefinition.sum("sentinel_amount", "sentinel", "amount", "country"));
        List<Event> sentinels = new ArrayList<>();
        for (int i = 0; i < SENTINELS; i++) {
            sentinels.add(sentinel(i));
        }
        assertThat(tally.ingest(sentinels).accepted()).isEqualTo(SENTINELS);
        tally.awaitIdle();
    }

    @AfterContainer
    static void checkKnownEventsAndClose() throws IOException {
        try {
            tally.awaitIdle();
            assertThat(sentinelSum()).isEqualTo(expectedSentinelSum());
            assertThat(sentinelCount()).isEqualTo(SENTINELS);
        } finally {
            tally.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Event sentinel(int i) {
        return Event.builder("sentinel").eventId("s-" + i).userId("u" + i).timestamp(NOW.minusSeconds(SENTINELS - i))
                .property("amount", i * 1.5).country(i % 3 == 0 ? "US" : "FR").build();
    }

    private static double expectedSentinelSum() {
        double sum = 0;
        for (int i = 0; i < SENTINELS; i++) {
            sum += i * 1.5;
        }
        return sum;
    }

    private static double sentinelSum() {
        MetricResult r = tally.query(MetricQuery.metric("sentinel_amount")
                .between(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(1))).granularity(Granularity.ALL).build());
        return r.points().get(0).value();
    }

    private static double sentinelCount() {
        MetricResult r = tally.query(MetricQuery.metric("event_count").filter("eventType", "sentinel")
                .between(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(1))).granularity(Granularity.ALL).build());
        return r.points().get(0).value();
    }

    @Property(tries = 400)
    void randomTextBodiesAreRejectedWithReasons(@ForAll("bodies") String body) {
        try {
            BatchResult r = tally.ingestJson(body);
            assertEveryResultExplained(r);
        } catch (InvalidRequestException e) {
            assertThat(e.violations()).isNotEmpty().allSatisfy(v -> assertThat(v.message()).isNotBlank());
        }
    }

    @Property(tries = 400)
    void hostileEventsAreRejectedWithReasons(@ForAll("events") List<Event> events) {
        BatchResult r = tally.ingest(events);
        assertThat(r.results()).hasSize(events.size());
        assertEveryResultExplained(r);
    }

    @Property(tries = 50)
    void resentSentinelsInsideGarbageAreDuplicates(@ForAll("events") List<Event> garbage) {
        List<Event> mixed = new ArrayList<>(garbage);
        mixed.add(sentinel(7));
        BatchResult r = tally.ingest(mixed);
        assertThat(r.results().get(mixed.size() - 1)).isInstanceOf(IngestResult.Duplicate.class);
    }

    private static void assertEveryResultExplained(BatchResult r) {
        for (IngestResult result : r.results()) {
            if (result instanceof IngestResult.Rejected rejected) {
                assertThat(rejected.violations()).isNotEmpty().allSatisfy(v -> {
                    assertThat(v.path()).isNotNull();
                    assertThat(v.code()).isNotBlank();
                    assertThat(v.message()).isNotBlank();
                });
            }
        }
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> randomText = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+truefalsn \\u")
                .ofMaxLength(200);
        Arbitrary<String> deep = Arbitraries.integers().between(1, 5000).map(n -> "[".repeat(n) + "]".repeat(n));
        Arbitrary<String> deepObject = Arbitraries.integers().between(1, 300)
                .map(n -> "{\"eventId\":\"d\",\"eventType\":\"t\",\"properties\":" + "{\"a\":".repeat(n) + "1"
                        + "}".repeat(n) + "}");
        Arbitrary<String> wrongTypes = Combinators.combine(
                Arbitraries.of("\"eventId\"", "\"eventType\"", "\"userId\"", "\"timestamp\"", "\"properties\"",
                        "\"context\"", "\"projectId\"", "\"events\""),
                Arbitraries.of("1", "-1", "1e309", "true", "null", "[]", "{}", "\"\"", "\"x\"", "123456789012345678901234567890",
                        "\"2024-13-45T99:99:99Z\"", "-62135596800001", "9223372036854775807"))
                .as((k, v) -> "{" + k + ":" + v + ",\"eventType\":\"t\",\"eventId\":\"i\"}");
        Arbitrary<String> hugeString = Arbitraries.integers().between(5_000, 200_000)
                .map(n -> "{\"eventId\":\"h\",\"eventType\":\"t\",\"properties\":{\"s\":\"" + "x".repeat(n) + "\"}}");
        Arbitrary<String> batches = Arbitraries.integers().between(0, 50).map(n -> {
            StringBuilder sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < n; i++) {
                sb.append(i > 0 ? "," : "").append(i % 3 == 0 ? "1" : "{\"eventId\":\"b" + i + "\",\"eventType\":\"_bad\"}");
            }
            return sb.append("]}").toString();
        });
        return Arbitraries.oneOf(randomText, jsonish, deep, deepObject, wrongTypes, hugeString, batches);
    }

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<String> anyString = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.just(null), Arbitraries.just(""), Arbitraries.integers().between(4000, 20000).map("y"::repeat));
        Arbitrary<Instant> anyTime = Arbitraries.oneOf(
                Arbitraries.longs().between(-100_000_000_000_000L, 100_000_000_000_000L).map(Instant::ofEpochMilli),
                Arbitraries.just(null), Arbitraries.just(NOW.plus(Duration.ofDays(1))), Arbitraries.just(Instant.MIN),
                Arbitraries.just(Instant.MAX));
        Arbitrary<Object> value = Arbitraries.oneOf(anyString.map(s -> (Object) s),
                Arbitraries.doubles().map(d -> (Object) d), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.of(new Object(), new int[] {1}, Map.of(1, 2)),
                Arbitraries.integers().between(1, 12).map(GarbageInputTest::nested));
        Arbitrary<Map<String, Object>> props = Arbitraries.maps(
                Arbitraries.strings().all().ofMaxLength(300), value).ofMaxSize(250).map(HashMap::new)
                .flatMap(m -> Arbitraries.of(true, false).map(withNullKey -> {
                    if (withNullKey) {
                        m.put(null, "null key");
                    }
                    return m;
                }));
        Arbitrary<Map<String, String>> extra = Arbitraries.of(Map.<String, String>of(), nullKeyed("v"),
                nullKeyed(null), Map.of("k", "v"));
        Arbitrary<Event> event = Combinators.combine(anyString, anyString, anyString, anyTime, props, anyString, extra)
                .as((id, type, user, ts, p, country, x) -> new Event(id, type, user, ts, p,
                        new EventContext(null, null, country, null, x)));
        return event.list().ofMaxSize(20);
    }

    private static Map<String, String> nullKeyed(String value) {
        Map<String, String> m = new HashMap<>();
        m.put(null, value);
        return m;
    }

    private static Object nested(int depth) {
        Object v = "leaf";
        for (int i = 0; i < depth; i++) {
            v = i % 2 == 0 ? Map.of("k", v) : List.of(v);
        }
        return v;
    }
}
