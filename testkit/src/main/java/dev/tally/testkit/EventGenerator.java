package dev.tally.testkit;

import dev.tally.api.Event;
import dev.tally.api.ProjectOperations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A seeded stream of realistic product events for tests and benchmarks: the same seed and settings give the same
 * events, on every machine and JVM.
 *
 * <p>The model: users {@code user-1 .. user-N} are drawn from a Zipf distribution (a few heavy users, a long
 * tail), so they come back in several sessions. A fixed number of sessions is open at any time; each event
 * belongs to one, picked at random, so sessions interleave. A session keeps its user, device and id (in the
 * event context as {@code sessionId}); a user keeps one country. A session ends after each event with probability
 * {@code 1 / meanSessionLength}. An event is a {@code purchase} with probability {@code purchaseShare}, else a
 * {@code page_view}. Event times are Poisson arrivals at {@code rate} events per second from {@code start}.
 *
 * <ul>
 *   <li>{@code page_view}: {@code path} — {@code /}, {@code /search}, {@code /cart} or a product page, by Zipf
 *       popularity.</li>
 *   <li>{@code purchase}: {@code productId} ({@code sku-K}, Zipf popularity), {@code amount} (log-normal around
 *       the median, in cents precision), {@code currency} ({@code EUR} in euro countries, else {@code USD}).</li>
 * </ul>
 * Every event is valid under {@link #PURCHASE_SCHEMA} or {@link #PAGE_VIEW_SCHEMA}. Ids are
 * {@code <idPrefix>-<sequence>}: unique within a generator, and across generators with different prefixes.
 *
 * <p>Not thread-safe: give each sending thread its own generator (with its own seed and prefix).
 */
public final class EventGenerator {
    /** The JSON Schema of generated {@code purchase} events. */
    public static final String PURCHASE_SCHEMA = """
            {"type":"object","properties":{
              "productId":{"type":"string","required":true},
              "amount":{"type":"number","minimum":0,"required":true},
              "currency":{"type":"string","enum":["USD","EUR"],"required":true}}}""";
    /** The JSON Schema of generated {@code page_view} events. */
    public static final String PAGE_VIEW_SCHEMA = """
            {"type":"object","properties":{
              "path":{"type":"string","required":true}}}""";

    private static final Set<String> EURO_COUNTRIES = Set.of("DE", "FR", "ES", "IT", "NL", "AT", "BE", "PT", "IE",
            "FI");
    private static final String[] FIXED_PAGES = {"/", "/search", "/cart"};

    private final Builder settings;
    private final SplittableRandom random;
    private final ZipfSampler users;
    private final ZipfSampler products;
    private final ZipfSampler pages;
    private final Weighted countries;
    private final Weighted devices;
    private final Session[] sessions;
    private final Instant end;
    private long eventMicros;
    private long sequence;
    private long sessionSequence;

    private EventGenerator(Builder b) {
        this.settings = b;
        this.random = new SplittableRandom(b.seed);
        this.users = new ZipfSampler(b.users, b.userSkew);
        this.products = new ZipfSampler(b.products, 1.0);
        this.pages = new ZipfSampler(FIXED_PAGES.length + b.products, 1.0);
        this.countries = new Weighted(b.countries);
        this.devices = new Weighted(b.devices);
        this.sessions = new Session[b.concurrentSessions];
        this.end = b.span == null ? null : b.start.plus(b.span);
        this.eventMicros = Math.multiplyExact(b.start.getEpochSecond(), 1_000_000L) + b.start.getNano() / 1000;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Registers {@link #PURCHASE_SCHEMA} and {@link #PAGE_VIEW_SCHEMA} for the two event types. */
    public static void registerSchemas(ProjectOperations target) {
        target.registerSchema("purchase", PURCHASE_SCHEMA);
        target.registerSchema("page_view", PAGE_VIEW_SCHEMA);
    }

    /** The next event, at the next simulated arrival time (this may run past the span; see {@link #stream()}). */
    public Event next() {
        eventMicros += Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * 1e6 / settings.rate));
        return nextAt(time());
    }

    /**
     * The next event of the stream stamped {@code timestamp} instead of its simulated time (which does not move):
     * for load generators that send "now", or tests that place events exactly.
     */
    public Event nextAt(Instant timestamp) {
        Objects.requireNonNull(timestamp, "timestamp");
        int slot = random.nextInt(sessions.length);
        Session session = sessions[slot];
        if (session == null) {
            session = newSession();
            sessions[slot] = session;
        }
        Event.Builder e = random.nextDouble() < settings.purchaseShare ? purchase(session) : pageView();
        Event event = e.eventId(settings.idPrefix + "-" + sequence++)
                .userId("user-" + session.user)
                .timestamp(timestamp)
                .country(session.country)
                .device(session.device)
                .context("sessionId", session.id)
                .build();
        if (random.nextDouble() * settings.meanSessionLength < 1) {
            sessions[slot] = null;
        }
        return event;
    }

    /** The next {@code count} events in simulated time. */
    public List<Event> next(int count) {
        List<Event> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(next());
        }
        return out;
    }

    /** The next {@code count} events, all stamped {@code timestamp} (see {@link #nextAt}). */
    public List<Event> batchAt(int count, Instant timestamp) {
        List<Event> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(nextAt(timestamp));
        }
        return out;
    }

    /**
     * The events from here on in simulated time: up to {@code start + span} when a span is set, else endless
     * (limit it). Consuming the stream advances this generator.
     */
    public Stream<Event> stream() {
        Stream<Event> all = Stream.generate(this::next);
        return end == null ? all : all.takeWhile(e -> e.timestamp().isBefore(end));
    }

    /** The simulated time of the latest event {@link #next()} returned (the start before the first). */
    public Instant time() {
        return Instant.ofEpochSecond(Math.floorDiv(eventMicros, 1_000_000L), Math.floorMod(eventMicros, 1_000_000L) * 1000);
    }

    private Session newSession() {
        int user = users.sample(random);
        // A user's country is a function of the seed and the user alone, so it is the same in every session.
        double countryDraw = new SplittableRandom(settings.seed * 0x9E3779B97F4A7C15L + user).nextDouble();
        return new Session("s-" + settings.idPrefix + "-" + sessionSequence++, user, countries.pick(countryDraw),
                devices.pick(random.nextDouble()));
    }

    private Event.Builder purchase(Session session) {
        double amount = settings.medianAmount * Math.exp(settings.amountSpread * gaussian());
        return Event.builder("purchase")
                .property("productId", "sku-" + products.sample(random))
                .property("amount", Math.max(1, Math.round(amount * 100)) / 100.0)
                .property("currency", EURO_COUNTRIES.contains(session.country) ? "EUR" : "USD");
    }

    private Event.Builder pageView() {
        int page = pages.sample(random);
        String path = page <= FIXED_PAGES.length ? FIXED_PAGES[page - 1] : "/products/sku-" + (page - FIXED_PAGES.length);
        return Event.builder("page_view").property("path", path);
    }

    /**
     * A standard normal draw by Box–Muller from two uniform draws: the result depends only on
     * {@code SplittableRandom}'s specified sequence, not on a JDK version's {@code nextGaussian} algorithm.
     */
    private double gaussian() {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private record Session(String id, int user, String country, String device) {
    }

    /** Picks keys by weight from a uniform draw in [0, 1); keys sorted, so any map's order gives the same picks. */
    private static final class Weighted {
        private final String[] keys;
        private final double[] cumulative;

        Weighted(Map<String, Double> weights) {
            keys = weights.keySet().stream().sorted().toArray(String[]::new);
            cumulative = new double[keys.length];
            double total = 0;
            for (int i = 0; i < keys.length; i++) {
                total += weights.get(keys[i]);
                cumulative[i] = total;
            }
            for (int i = 0; i < keys.length; i++) {
                cumulative[i] /= total;
            }
        }

        String pick(double u) {
            for (int i = 0; i < keys.length - 1; i++) {
                if (u < cumulative[i]) {
                    return keys[i];
                }
            }
            return keys[keys.length - 1];
        }
    }

    /**
     * Settings of an {@link EventGenerator}; every one has a default, so {@code EventGenerator.builder().build()}
     * works. Invalid values throw {@link IllegalArgumentException} naming the setting. Not thread-safe.
     */
    public static final class Builder {
        private long seed = 1;
        private int users = 10_000;
        private double userSkew = 1.0;
        private Instant start = TestClock.DEFAULT_START;
        private Duration span;
        private double rate = 10;
        private double purchaseShare = 0.1;
        private double meanSessionLength = 6;
        private int concurrentSessions = 20;
        private int products = 1000;
        private double medianAmount = 30;
        private double amountSpread = 1.0;
        private String idPrefix;
        private Map<String, Double> countries = Map.of(
                "US", 30.0, "IN", 10.0, "DE", 10.0, "GB", 9.0, "FR", 8.0, "BR", 8.0, "JP", 7.0, "CA", 6.0, "MX", 6.0,
                "ES", 6.0);
        private Map<String, Double> devices = Map.of("mobile", 55.0, "desktop", 38.0, "tablet", 7.0);

        private Builder() {
        }

        /** The seed (default 1): same seed and settings, same events. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How many distinct users may appear (default 10,000). */
        public Builder users(int users) {
            this.users = positive("users", users);
            return this;
        }

        /** The Zipf exponent of user activity (default 1.0; larger is more skewed toward a few heavy users). */
        public Builder userSkew(double exponent) {
            if (!(exponent > 0) || Double.isInfinite(exponent)) {
                throw new IllegalArgumentException("userSkew must be a positive number, got " + exponent);
            }
            this.userSkew = exponent;
            return this;
        }

        /** The simulated time before the first event (default {@link TestClock#DEFAULT_START}). */
        public Builder start(Instant start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /** Where {@link EventGenerator#stream()} ends: {@code start + span} (default: no end). */
        public Builder span(Duration span) {
            if (span.isNegative() || span.isZero()) {
                throw new IllegalArgumentException("span must be positive, got " + span);
            }
            this.span = span;
            return this;
        }

        /** Mean events per second of simulated time (default 10). */
        public Builder rate(double eventsPerSecond) {
            if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
                throw new IllegalArgumentException("rate must be a positive number of events per second, got "
                        + eventsPerSecond);
            }
            this.rate = eventsPerSecond;
            return this;
        }

        /** The share of events that are purchases, 0 to 1 (default 0.1); the rest are page views. */
        public Builder purchaseShare(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("purchaseShare must be between 0 and 1, got " + share);
            }
            this.purchaseShare = share;
            return this;
        }

        /** Mean events per session (default 6; at least 1). */
        public Builder meanSessionLength(double events) {
            if (!(events >= 1) || Double.isInfinite(events)) {
                throw new IllegalArgumentException("meanSessionLength must be at least 1, got " + events);
            }
            this.meanSessionLength = events;
            return this;
        }

        /** Sessions open at the same time, whose events interleave (default 20). */
        public Builder concurrentSessions(int sessions) {
            this.concurrentSessions = positive("concurrentSessions", sessions);
            return this;
        }

        /** Distinct products, {@code sku-1 .. sku-N}, by Zipf popularity (default 1000). */
        public Builder products(int products) {
            this.products = positive("products", products);
            return this;
        }

        /**
         * Purchase amounts: log-normal with this median and spread (the standard deviation of the amount's
         * logarithm); defaults 30 and 1.0. Amounts have cents precision and are at least 0.01.
         */
        public Builder amounts(double median, double spread) {
            if (!(median > 0) || !(spread >= 0) || Double.isInfinite(median) || Double.isInfinite(spread)) {
                throw new IllegalArgumentException("amounts needs a positive median and a non-negative spread, got "
                        + median + " and " + spread);
            }
            this.medianAmount = median;
            this.amountSpread = spread;
            return this;
        }

        /** Event ids are {@code <prefix>-<sequence>} (default {@code gen<seed>}). */
        public Builder idPrefix(String prefix) {
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("idPrefix must not be empty");
            }
            this.idPrefix = prefix;
            return this;
        }

        /** Countries and their relative weights (default: ten countries, US first). */
        public Builder countries(Map<String, Double> weights) {
            this.countries = checkedWeights("countries", weights);
            return this;
        }

        /** Devices and their relative weights (default mobile 55, desktop 38, tablet 7). */
        public Builder devices(Map<String, Double> weights) {
            this.devices = checkedWeights("devices", weights);
            return this;
        }

        /** A generator with these settings; the builder may be changed and used again afterwards. */
        public EventGenerator build() {
            return new EventGenerator(this.copy());
        }

        private Builder copy() {
            Builder b = new Builder();
            b.seed = seed;
            b.users = users;
            b.userSkew = userSkew;
            b.start = start;
            b.span = span;
            b.rate = rate;
            b.purchaseShare = purchaseShare;
            b.meanSessionLength = meanSessionLength;
            b.concurrentSessions = concurrentSessions;
            b.products = products;
            b.medianAmount = medianAmount;
            b.amountSpread = amountSpread;
            b.idPrefix = idPrefix == null ? "gen" + seed : idPrefix;
            b.countries = countries;
            b.devices = devices;
            return b;
        }

        private static int positive(String setting, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(setting + " must be at least 1, got " + value);
            }
            return value;
        }

        private static Map<String, Double> checkedWeights(String setting, Map<String, Double> weights) {
            if (weights == null || weights.isEmpty()) {
                throw new IllegalArgumentException(setting + " needs at least one entry");
            }
            Map<String, Double> copy = new LinkedHashMap<>();
            weights.forEach((k, w) -> {
                if (k == null || k.isEmpty() || w == null || !(w > 0) || w.isInfinite()) {
                    throw new IllegalArgumentException(setting + ": '" + k + "' needs a positive weight, got " + w);
                }
                copy.put(k, w);
            });
            return copy;
        }
    }
}
