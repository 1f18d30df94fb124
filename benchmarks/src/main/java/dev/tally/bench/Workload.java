package dev.tally.bench;

import dev.tally.api.Event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark's typed events: purchases with a registered schema, users drawn from a skewed (roughly
 * Zipf-like) distribution over 100k users, 10 countries, 3 devices. Seeded, so every run sends the same
 * stream. Not thread-safe.
 */
final class Workload {
    static final String SCHEMA = """
            {"type":"object","properties":{
              "productId":{"type":"string","required":true},
              "amount":{"type":"number","minimum":0,"required":true},
              "currency":{"type":"string","enum":["USD","EUR"],"required":true}}}""";
    private static final String[] COUNTRIES = {"US", "DE", "FR", "BR", "IN", "JP", "GB", "CA", "MX", "ES"};
    private static final String[] DEVICES = {"mobile", "desktop", "tablet"};

    private final SplittableRandom random;
    private final String runId;
    private long next;

    Workload(long seed, String runId) {
        this.random = new SplittableRandom(seed);
        this.runId = runId;
    }

    List<Event> batch(int size, Instant timestamp) {
        List<Event> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(event(timestamp));
        }
        return out;
    }

    Event event(Instant timestamp) {
        double u = random.nextDouble();
        int user = (int) (u * u * u * 100_000);
        return Event.builder("purchase")
                .eventId(runId + "-" + next++)
                .userId("user-" + user)
                .timestamp(timestamp)
                .property("productId", "sku-" + random.nextInt(1000))
                .property("amount", 1 + random.nextInt(50_000) / 100.0)
                .property("currency", random.nextBoolean() ? "USD" : "EUR")
                .country(COUNTRIES[random.nextInt(COUNTRIES.length)])
                .device(DEVICES[random.nextInt(DEVICES.length)])
                .build();
    }
}
