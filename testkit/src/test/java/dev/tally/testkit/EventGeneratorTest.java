package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EventGeneratorTest {

    @Test
    void sameSeedAndSettings_giveTheSameEvents() {
        List<Event> a = EventGenerator.builder().seed(7).build().next(2000);
        List<Event> b = EventGenerator.builder().seed(7).build().next(2000);
        assertThat(a).isEqualTo(b);
        assertThat(EventGenerator.builder().seed(8).build().next(2000)).isNotEqualTo(a);
    }

    @Test
    void weightOrder_doesNotChangeTheEvents() {
        Map<String, Double> forward = new LinkedHashMap<>();
        forward.put("mobile", 2.0);
        forward.put("desktop", 1.0);
        Map<String, Double> backward = new LinkedHashMap<>();
        backward.put("desktop", 1.0);
        backward.put("mobile", 2.0);
        assertThat(EventGenerator.builder().devices(forward).build().next(500))
                .isEqualTo(EventGenerator.builder().devices(backward).build().next(500));
    }

    @Test
    void users_areZipfDistributed_theFirstIsTheHeaviest() {
        List<Event> events = EventGenerator.builder().users(1000).meanSessionLength(1).build().next(50_000);
        Map<String, Long> perUser = countBy(events, Event::userId);
        String heaviest = perUser.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(heaviest).isEqualTo("user-1");
        // P(user-1) = 1 / H(1000) = 0.1336 for one-event sessions.
        assertThat(perUser.get("user-1") / 50_000.0).isCloseTo(0.1336, within(0.01));
        assertThat(perUser.get("user-1")).isGreaterThan(5 * perUser.getOrDefault("user-10", 0L));
    }

    @Test
    void sessions_keepUserAndDevice_usersKeepTheirCountry() {
        List<Event> events = EventGenerator.builder().users(50).build().next(20_000);
        Map<String, Set<String>> perSession = events.stream().collect(Collectors.groupingBy(
                e -> e.context().extra().get("sessionId"),
                Collectors.mapping(e -> e.userId() + "/" + e.context().device(), Collectors.toSet())));
        assertThat(perSession).hasSizeGreaterThan(1000).allSatisfy((id, users) -> assertThat(users).hasSize(1));
        Map<String, Set<String>> countries = events.stream().collect(Collectors.groupingBy(Event::userId,
                Collectors.mapping(e -> e.context().country(), Collectors.toSet())));
        assertThat(countries).allSatisfy((user, c) -> assertThat(c).hasSize(1));
        double meanLength = events.size() / (double) perSession.size();
        assertThat(meanLength).isCloseTo(6, within(0.5));
    }

    @Test
    void stream_coversTheSpanAtTheRate_inTimeOrder() {
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        List<Event> events = EventGenerator.builder().start(start).rate(10).span(Duration.ofHours(1)).build()
                .stream().toList();
        assertThat(events.size()).isBetween(36_000 - 600, 36_000 + 600);   // Poisson: sd 190
        assertThat(events).extracting(Event::timestamp)
                .isSorted()
                .allSatisfy(t -> assertThat(t).isAfter(start).isBefore(start.plus(Duration.ofHours(1))));
    }

    @Test
    void mix_amountsAndCurrencies_lookLikeAShop() {
        List<Event> events = EventGenerator.builder().purchaseShare(0.25).build().next(40_000);
        List<Event> purchases = events.stream().filter(e -> e.eventType().equals("purchase")).toList();
        assertThat(purchases.size() / 40_000.0).isCloseTo(0.25, within(0.01));
        assertThat(events).extracting(Event::eventType).containsOnly("purchase", "page_view");
        double[] amounts = purchases.stream().mapToDouble(e -> (Double) e.properties().get("amount")).sorted().toArray();
        assertThat(amounts[amounts.length / 2]).as("median amount").isCloseTo(30, within(2.0));
        assertThat(amounts[0]).isGreaterThanOrEqualTo(0.01);
        assertThat(purchases).allSatisfy(p -> assertThat(p.properties().get("currency"))
                .isEqualTo(Set.of("DE", "FR", "ES").contains(p.context().country()) ? "EUR" : "USD"));
        assertThat(countBy(events, e -> e.context().country())).containsOnlyKeys(
                "US", "IN", "DE", "GB", "FR", "BR", "JP", "CA", "MX", "ES");
        assertThat(countBy(events, e -> e.context().device())).containsOnlyKeys("mobile", "desktop", "tablet");
    }

    @Test
    void nextAt_stampsTheGivenTime_andIdsAreUniqueWithThePrefix() {
        EventGenerator generator = EventGenerator.builder().idPrefix("run1").build();
        Instant at = Instant.parse("2030-01-01T00:00:00Z");
        List<Event> batch = generator.batchAt(1000, at);
        assertThat(batch).extracting(Event::timestamp).containsOnly(at);
        assertThat(generator.time()).isEqualTo(TestClock.DEFAULT_START);
        Set<String> ids = new HashSet<>();
        assertThat(batch).allSatisfy(e -> assertThat(ids.add(e.eventId())).isTrue())
                .first().extracting(Event::eventId).isEqualTo("run1-0");
    }

    @Test
    void everyEvent_isAcceptedUnderTheGeneratorsSchemas(@TempDir Path dir) {
        try (Tally tally = Tally.builder().dataDir(dir).clock(TestClock.create()).build()) {
            EventGenerator.registerSchemas(tally);
            tally.strictSchemas(true);
            EventGenerator generator = EventGenerator.builder().purchaseShare(0.5)
                    .start(TestClock.DEFAULT_START.minus(Duration.ofMinutes(2))).rate(20).build();
            BatchResult result = tally.ingest(generator.next(2000));
            assertThat(result.accepted()).isEqualTo(2000);
        }
    }

    @Test
    void invalidSettings_nameTheSetting() {
        assertThatThrownBy(() -> EventGenerator.builder().users(0)).hasMessageStartingWith("users");
        assertThatThrownBy(() -> EventGenerator.builder().rate(-1)).hasMessageStartingWith("rate");
        assertThatThrownBy(() -> EventGenerator.builder().purchaseShare(1.5)).hasMessageStartingWith("purchaseShare");
        assertThatThrownBy(() -> EventGenerator.builder().countries(Map.of("US", 0.0)))
                .hasMessageStartingWith("countries: 'US'");
        assertThatThrownBy(() -> EventGenerator.builder().span(Duration.ZERO)).hasMessageStartingWith("span");
    }

    private static Map<String, Long> countBy(List<Event> events, Function<Event, String> key) {
        return events.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }
}
