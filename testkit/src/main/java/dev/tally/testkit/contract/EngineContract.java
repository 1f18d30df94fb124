package dev.tally.testkit.contract;

import dev.tally.Tally;
import dev.tally.api.Aggregation;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.EventFate;
import dev.tally.api.Granularity;
import dev.tally.api.IngestResult;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricPoint;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.RejectedEvent;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The end-to-end golden scenario every backend must pass: a seeded stream of purchases and page views
 * (with duplicates, invalid events and out-of-order timestamps) goes through ingest, dedup, the log and the
 * aggregator; query answers are checked against numbers computed independently here, from the same event
 * list, with plain Java. A backend subclass only says how to configure the builder.
 */
public abstract class EngineContract {
    protected static final Instant START = Instant.parse("2024-01-15T08:00:00Z");
    private static final String PURCHASE_SCHEMA = """
            {"type":"object","properties":{
              "productId":{"type":"string","required":true},
              "amount":{"type":"number","minimum":0,"required":true},
              "currency":{"type":"string","enum":["USD","EUR"],"required":true}}}""";
    private static final List<String> COUNTRIES = List.of("US", "DE", "FR", "BR");
    private static final List<String> DEVICES = List.of("mobile", "desktop");

    @TempDir
    protected Path dir;
    protected TestClock clock;
    protected Tally tally;
    private final List<Event> accepted = new ArrayList<>();

    /** Configures the backend under test (data directory, backend name, settings). */
    protected abstract Tally.Builder configure(Tally.Builder builder, Path dir);

    @BeforeEach
    void openEngine() {
        clock = TestClock.at(START.plus(Duration.ofHours(6)));
        tally = configure(Tally.builder().clock(clock), dir).build();
        tally.registerSchema("purchase", PURCHASE_SCHEMA);
        tally.defineMetric(MetricDefinition.of("revenue", "purchase", Aggregation.SUM, "amount", "country", "device"));
        tally.defineMetric(MetricDefinition.of("purchases", "purchase", Aggregation.COUNT, null, "country"));
        tally.defineMetric(MetricDefinition.of("avg_order", "purchase", Aggregation.AVG, "amount", "country"));
        tally.defineMetric(MetricDefinition.of("min_order", "purchase", Aggregation.MIN, "amount"));
        tally.defineMetric(MetricDefinition.of("max_order", "purchase", Aggregation.MAX, "amount", "device"));
        tally.defineMetric(MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null, "country"));
        ingestGoldenStream();
        tally.awaitIdle();
    }

    @AfterEach
    void closeEngine() {
        if (tally != null) {
            tally.close();
        }
    }

    /**
     * 6 hours of events from START: 1,500 purchases, 3,000 page views, 200 resent duplicates, 50 invalid. The
     * stream is in time order with neighbours swapped (disorder of seconds, well within allowed lateness).
     */
    private void ingestGoldenStream() {
        Random random = new Random(42);
        List<Event> stream = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            Instant ts = START.plusMillis(random.nextInt(6 * 3600 * 1000));
            stream.add(Event.builder("purchase").eventId("p-" + i).userId("u" + random.nextInt(300)).timestamp(ts)
                    .property("productId", "sku-" + random.nextInt(40))
                    .property("amount", Math.round(random.nextDouble() * 20000) / 100.0)
                    .property("currency", random.nextBoolean() ? "USD" : "EUR")
                    .country(COUNTRIES.get(random.nextInt(COUNTRIES.size())))
                    .device(DEVICES.get(random.nextInt(DEVICES.size())))
                    .build());
        }
        for (int i = 0; i < 3000; i++) {
            Instant ts = START.plusMillis(random.nextInt(6 * 3600 * 1000));
            stream.add(Event.builder("page_view").eventId("v-" + i).userId("u" + random.nextInt(1000)).timestamp(ts)
                    .property("path", "/p/" + random.nextInt(50))
                    .country(COUNTRIES.get(random.nextInt(COUNTRIES.size()))).build());
        }
        // Roughly in time order with local disorder, as clients send: sort, then swap neighbours.
        stream.sort((a, b) -> a.timestamp().compareTo(b.timestamp()));
        for (int i = 1; i < stream.size(); i += 3) {
            Event t = stream.get(i);
            stream.set(i, stream.get(i - 1));
            stream.set(i - 1, t);
        }
        // Resends arrive shortly after the original (a client retry), so they never move the watermark.
        List<Event> withNoise = new ArrayList<>(stream);
        for (int i = 0; i < 200; i++) {
            int original = random.nextInt(stream.size());
            int at = withNoise.indexOf(stream.get(original)) + 1 + random.nextInt(20);
            withNoise.add(Math.min(at, withNoise.size()), stream.get(original));
        }
        for (int i = 0; i < 50; i++) {
            withNoise.add(random.nextInt(withNoise.size()), Event.builder("purchase").eventId("bad-" + i)
                    .userId("u1").timestamp(START.plusSeconds(60L * i)).property("amount", "not a number").build());
        }
        Set<String> seen = new HashSet<>();
        for (int from = 0; from < withNoise.size(); from += 500) {
            List<Event> batch = withNoise.subList(from, Math.min(withNoise.size(), from + 500));
            BatchResult result = tally.ingest(batch);
            for (int i = 0; i < batch.size(); i++) {
                Event e = batch.get(i);
                IngestResult r = result.results().get(i);
                if (e.eventId().startsWith("bad-")) {
                    assertThat(r).isInstanceOf(IngestResult.Rejected.class);
                } else if (seen.add(e.eventId())) {
                    assertThat(r).as("first copy of %s", e.eventId()).isInstanceOf(IngestResult.Accepted.class);
                    accepted.add(e);
                } else {
                    assertThat(r).as("resent copy of %s", e.eventId()).isInstanceOf(IngestResult.Duplicate.class);
                }
            }
        }
        assertThat(accepted).hasSize(4500);
    }

    private List<Event> purchases() {
        return accepted.stream().filter(e -> e.eventType().equals("purchase")).toList();
    }

    private static double amount(Event e) {
        return ((Number) e.properties().get("amount")).doubleValue();
    }

    private MetricResult query(String metric, Granularity g, String... groupBy) {
        return tally.query(MetricQuery.metric(metric).between(START, START.plus(Duration.ofHours(6)))
                .granularity(g).groupBy(groupBy).build());
    }

    private static Map<String, Double> byDimension(MetricResult r, String dimension) {
        return r.points().stream().collect(Collectors.toMap(p -> p.dimensions().get(dimension), MetricPoint::value));
    }

    @Nested
    @DisplayName("counts and sums")
    class CountsAndSums {
        @Test
        void eventCountCountsEveryAcceptedEventOnceIncludingResentDuplicates() {
            MetricResult r = query("event_count", Granularity.ALL);
            assertThat(r.points()).singleElement().extracting(MetricPoint::value).isEqualTo(4500.0);
            // Hours closed before the clock (minus the rollup grace) are served by rollups, the rest live.
            assertThat(r.source()).isEqualTo("realtime+warehouse");
        }

        @Test
        void theLatestHourIsServedByTheRealtimeWindowsAlone() {
            Instant from = START.plus(Duration.ofHours(5));
            MetricResult r = tally.query(MetricQuery.metric("event_count").between(from, clock.instant()).build());
            assertThat(r.source()).isEqualTo("realtime");
            long expected = accepted.stream().filter(e -> !e.timestamp().isBefore(from)).count();
            assertThat(r.points()).singleElement().extracting(MetricPoint::value).isEqualTo((double) expected);
        }

        @Test
        void eventCountByTypeMatchesTheStream() {
            Map<String, Double> expected = accepted.stream()
                    .collect(Collectors.groupingBy(Event::eventType, Collectors.summingDouble(e -> 1)));
            assertThat(byDimension(query("event_count", Granularity.ALL, "eventType"), "eventType"))
                    .isEqualTo(expected);
        }

        @Test
        void revenuePerCountryMatchesAnIndependentSum() {
            Map<String, Double> expected = purchases().stream().collect(Collectors.groupingBy(
                    e -> e.context().country(), TreeMap::new, Collectors.summingDouble(EngineContract::amount)));
            Map<String, Double> actual = byDimension(query("revenue", Granularity.ALL, "country"), "country");
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isCloseTo(v, within(1e-6)));
        }

        @Test
        void hourlyPurchasesMatchAPerHourCount() {
            Map<Instant, Double> expected = purchases().stream().collect(Collectors.groupingBy(
                    e -> e.timestamp().truncatedTo(ChronoUnit.HOURS), TreeMap::new, Collectors.summingDouble(e -> 1)));
            MetricResult r = query("purchases", Granularity.HOUR);
            assertThat(r.points()).hasSize(6);
            assertThat(r.points().stream().collect(Collectors.toMap(MetricPoint::timestamp, MetricPoint::value)))
                    .isEqualTo(expected);
        }

        @Test
        void fiveMinuteAndOneMinutePointsAddUpToTheTotal() {
            double total = purchases().size();
            assertThat(query("purchases", Granularity.FIVE_MINUTES).points().stream()
                    .mapToDouble(MetricPoint::value).sum()).isEqualTo(total);
            assertThat(query("purchases", Granularity.MINUTE).points().stream()
                    .mapToDouble(MetricPoint::value).sum()).isEqualTo(total);
        }

        @Test
        void filterRestrictsToOneDimensionValue() {
            double expected = purchases().stream().filter(e -> "mobile".equals(e.context().device()))
                    .filter(e -> "US".equals(e.context().country())).mapToDouble(EngineContract::amount).sum();
            MetricResult r = tally.query(MetricQuery.metric("revenue").between(START, START.plus(Duration.ofHours(6)))
                    .filter("device", "mobile").filter("country", "US").build());
            assertThat(r.points()).singleElement().satisfies(p -> assertThat(p.value()).isCloseTo(expected, within(1e-6)));
        }
    }

    @Nested
    @DisplayName("averages, extremes and distinct users")
    class OtherAggregations {
        @Test
        void averageOrderPerCountry() {
            Map<String, Double> expected = purchases().stream().collect(Collectors.groupingBy(
                    e -> e.context().country(), Collectors.averagingDouble(EngineContract::amount)));
            Map<String, Double> actual = byDimension(query("avg_order", Granularity.ALL, "country"), "country");
            expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isCloseTo(v, within(1e-6)));
        }

        @Test
        void minAndMaxOrder() {
            double min = purchases().stream().mapToDouble(EngineContract::amount).min().orElseThrow();
            Map<String, Double> maxByDevice = purchases().stream().collect(Collectors.groupingBy(
                    e -> e.context().device(), Collectors.collectingAndThen(
                            Collectors.maxBy((a, b) -> Double.compare(amount(a), amount(b))), o -> amount(o.get()))));
            assertThat(query("min_order", Granularity.ALL).points()).singleElement()
                    .extracting(MetricPoint::value).isEqualTo(min);
            assertThat(byDimension(query("max_order", Granularity.ALL, "device"), "device")).isEqualTo(maxByDevice);
        }

        @Test
        void distinctBuyersMergeAcrossWindowsWithinSketchError() {
            long exact = purchases().stream().map(Event::userId).distinct().count();
            double estimate = query("buyers", Granularity.ALL).points().get(0).value();
            assertThat(estimate).isCloseTo(exact, within(exact * 0.03));
            Map<String, Long> perCountry = purchases().stream().collect(Collectors.groupingBy(
                    e -> e.context().country(), Collectors.mapping(Event::userId, Collectors.collectingAndThen(
                            Collectors.toSet(), s -> (long) s.size()))));
            Map<String, Double> actual = byDimension(query("buyers", Granularity.ALL, "country"), "country");
            perCountry.forEach((k, v) -> assertThat(actual.get(k)).as(k).isCloseTo(v, within(v * 0.03)));
        }

        @Test
        void uniqueUsersIsBuiltIn() {
            long exact = accepted.stream().map(Event::userId).distinct().count();
            double estimate = query("unique_users", Granularity.ALL).points().get(0).value();
            assertThat(estimate).isCloseTo(exact, within(exact * 0.03));
        }
    }

    @Nested
    @DisplayName("time zones")
    class TimeZones {
        @Test
        void dayBucketsStartAtLocalMidnight() {
            ZoneId zone = ZoneId.of("Asia/Kolkata");
            Function<Event, Instant> localDay = e -> ZonedDateTime.ofInstant(e.timestamp(), zone)
                    .truncatedTo(ChronoUnit.DAYS).toInstant();
            Map<Instant, Double> expected = purchases().stream().collect(Collectors.groupingBy(localDay, TreeMap::new,
                    Collectors.summingDouble(e -> 1)));
            Instant from = ZonedDateTime.ofInstant(START, zone).truncatedTo(ChronoUnit.DAYS).toInstant();
            MetricResult r = tally.query(MetricQuery.metric("purchases").between(from, from.plus(Duration.ofDays(2)))
                    .granularity(Granularity.DAY).zone(zone).build());
            assertThat(r.points().stream().collect(Collectors.toMap(MetricPoint::timestamp, MetricPoint::value)))
                    .isEqualTo(expected);
        }
    }

    @Nested
    @DisplayName("rejections and lateness")
    class Rejections {
        @Test
        void invalidEventsAreListedWithTheirViolations() {
            List<RejectedEvent> rejected = tally.rejectedEvents(100);
            assertThat(rejected).hasSize(50);
            assertThat(rejected).allSatisfy(r -> {
                assertThat(r.reason()).isEqualTo(RejectedEvent.Reason.INVALID);
                assertThat(r.violations()).extracting(v -> v.path())
                        .contains("properties.amount", "properties.productId");
            });
        }

        @Test
        void eventsBeyondAllowedLatenessAreListedAsLateAndCountedByTheRollup() {
            Instant late = START.plus(Duration.ofHours(1));
            IngestResult r = tally.ingest(Event.builder("page_view").eventId("late-1").userId("u1").timestamp(late).build());
            assertThat(r).isInstanceOf(IngestResult.Accepted.class);
            tally.awaitIdle();
            assertThat(tally.rejectedEvents(10)).anySatisfy(e -> {
                assertThat(e.eventId()).isEqualTo("late-1");
                assertThat(e.reason()).isEqualTo(RejectedEvent.Reason.LATE);
            });
            // Too late for the real-time window, but archived: the hour's rollup (authoritative) counts it.
            assertThat(query("event_count", Granularity.ALL).points().get(0).value()).isEqualTo(4501.0);
        }

        @Test
        void aMetricDefinedLaterCoversTheArchivedHistoryOnceRolledUp() {
            tally.defineMetric(MetricDefinition.count("views", "page_view"));
            Instant now = clock.instant();
            tally.ingest(Event.builder("page_view").eventId("after-1").userId("u1").timestamp(now).build());
            tally.awaitIdle();
            // Closed hours are rolled up again from the archive for the new metric...
            Instant rolled = START.plus(Duration.ofHours(5));
            long before = accepted.stream().filter(e -> e.eventType().equals("page_view")
                    && e.timestamp().isBefore(rolled)).count();
            assertThat(tally.query(MetricQuery.metric("views").between(START, rolled).build()).points())
                    .singleElement().extracting(MetricPoint::value).isEqualTo((double) before);
            // ...and once the open hour is rolled up too, the metric covers everything.
            clock.advance(Duration.ofHours(2));
            tally.awaitIdle();
            long all = accepted.stream().filter(e -> e.eventType().equals("page_view")).count() + 1;
            assertThat(tally.query(MetricQuery.metric("views").between(START, now.plusSeconds(60)).build()).points())
                    .singleElement().extracting(MetricPoint::value).isEqualTo((double) all);
        }
    }

    @Nested
    @DisplayName("an event's fate by id")
    class Fates {
        @Test
        void anAcceptedEventIsFoundWithItsStoredCopyOnceArchived() {
            Event first = accepted.stream().filter(e -> e.eventType().equals("purchase")).findFirst().orElseThrow();
            EventFate fate = tally.event(first.eventId());
            assertThat(fate.status()).isIn(EventFate.Status.ACCEPTED, EventFate.Status.DUPLICATE);
            assertThat(fate.stored()).hasValueSatisfying(stored -> {
                assertThat(stored.eventId()).isEqualTo(first.eventId());
                assertThat(stored.userId()).isEqualTo(first.userId());
                assertThat(stored.timestamp()).isEqualTo(first.timestamp());
                assertThat(((Number) stored.properties().get("amount")).doubleValue()).isEqualTo(amount(first));
            });
        }

        @Test
        void aResentEventIsADuplicateWithItsCopiesCounted() {
            Instant now = clock.instant();
            Event e = Event.builder("page_view").eventId("resent-1").userId("u1").timestamp(now).build();
            tally.ingest(e);
            assertThat(tally.event("resent-1")).isInstanceOf(EventFate.Accepted.class);
            tally.ingest(e);
            tally.ingest(List.of(e, e));
            assertThat(tally.event("resent-1")).isInstanceOfSatisfying(EventFate.Duplicate.class,
                    d -> assertThat(d.copies()).isEqualTo(3));
        }

        @Test
        void anInvalidEventIsRejectedWithItsViolations() {
            assertThat(tally.event("bad-7")).isInstanceOfSatisfying(EventFate.Rejected.class, r -> {
                assertThat(r.violations()).extracting(v -> v.path()).contains("properties.amount");
                assertThat(r.attempts()).isEqualTo(1);
            });
        }

        @Test
        void aLateEventIsLateOnceAggregated() {
            tally.ingest(Event.builder("page_view").eventId("late-fate").userId("u1")
                    .timestamp(START.plus(Duration.ofHours(1))).build());
            tally.awaitIdle();
            EventFate fate = tally.event("late-fate");
            assertThat(fate).isInstanceOf(EventFate.Late.class);
            assertThat(fate.stored()).isPresent();
        }

        @Test
        void anIdNeverSentIsUnknownAndIdsAreProjectScoped() {
            assertThat(tally.event("never-sent")).isInstanceOf(EventFate.Unknown.class);
            tally.createProject("other");
            assertThat(tally.project("other").event(accepted.get(0).eventId())).isInstanceOf(EventFate.Unknown.class);
        }
    }

    @Nested
    @DisplayName("restart")
    class Restart {
        @Test
        void answersAreIdenticalAfterAReopenAndNewEventsAddUp() {
            MetricResult before = query("revenue", Granularity.HOUR, "country", "device");
            tally.close();
            tally = configure(Tally.builder().clock(clock), dir).build();
            assertThat(query("revenue", Granularity.HOUR, "country", "device").points())
                    .containsExactlyInAnyOrderElementsOf(before.points());
            BatchResult again = tally.ingest(accepted.subList(0, 100));
            assertThat(again.duplicates()).isEqualTo(100);
            tally.ingest(Event.builder("page_view").eventId("new-1").userId("u9").timestamp(clock.instant()).build());
            tally.awaitIdle();
            assertThat(query("event_count", Granularity.ALL).points().get(0).value()).isEqualTo(4500.0);
            MetricResult all = tally.query(MetricQuery.metric("event_count")
                    .between(START, clock.instant().plusSeconds(60)).build());
            assertThat(all.points().get(0).value()).isEqualTo(4501.0);
        }
    }
}
