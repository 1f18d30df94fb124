package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Aggregation;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricDefinition;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.SqlQuery;
import dev.tally.engine.Backends;
import dev.tally.engine.codec.EventCodec;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.LogRecord;
import dev.tally.spi.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * Issue 4's harness: a year of history, then in one run — archive write rate (events/s into Parquet), rollup
 * rate, historical metric-query latency over 365 days of daily rows, and "events per type per day" answered
 * three ways on the same data: Tally's metric query, SQL {@code GROUP BY} over the raw rows in H2 (what a user
 * would otherwise do), and DuckDB over the same Parquet files.
 *
 * <p>The log is filled directly (imported records, as backfill writes them), so each phase is timed alone:
 * the archiver catching up on the whole log, then the rollups catching up on the whole archive.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Archive, rollup and historical query rates over a year of events")
final class HistoryBench implements Callable<Integer> {
    private static final String[] TYPES = {"page_view", "purchase", "signup", "search", "add_to_cart"};
    private static final String[] COUNTRIES = {"US", "DE", "FR", "BR", "IN", "JP", "GB", "CA", "MX", "ES"};
    private static final String[] DEVICES = {"mobile", "desktop", "tablet"};
    private static final String PER_TYPE_PER_DAY = "SELECT event_type, CAST(%1$s AS DATE), COUNT(*) "
            + "FROM %2$s GROUP BY event_type, CAST(%1$s AS DATE)";

    @Option(names = "--events", defaultValue = "10000000", description = "events (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--days", defaultValue = "365", description = "days of history (default ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--queries", defaultValue = "500", description = "timed metric queries per shape")
    int queries;

    @Option(names = "--event-metadata", arity = "1", defaultValue = "false",
            description = "write one events_metadata row per archived event: true or false (default ${DEFAULT-VALUE})")
    boolean eventMetadata;

    @Option(names = "--dir", description = "data directory (default: a fresh temp dir, deleted after)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path data = dir != null ? dir : BenchMain.tempDir("tally-bench-history-");
        InstantSource clock = Clock.system(ZoneOffset.UTC);
        Instant end = clock.instant().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
        Instant start = end.minus(Duration.ofDays(days));
        try {
            fillLog(data, clock, start);
            // Retention would move history older than 30 days to the cold prefix mid-run: not what is measured.
            Map<String, String> noRollups = Map.of("tally.rollup.grace", "36500d", "tally.cache.ttl", "0s",
                    "tally.archive.event-metadata", Boolean.toString(eventMetadata), "tally.retention.scheduled", "false");
            try (Tally tally = Tally.builder().dataDir(data).clock(clock).settings(noRollups).build()) {
                tally.defineMetric(MetricDefinition.of("revenue", "purchase", Aggregation.SUM, "amount", "country", "device"));
                tally.defineMetric(MetricDefinition.of("buyers", "purchase", Aggregation.UNIQUE, null, "country"));
                long t0 = System.nanoTime();
                tally.awaitIdle(Duration.ofHours(1));
                double secs = (System.nanoTime() - t0) / 1e9;
                List<Warehouse.ArchivedFile> files = tally.backend().warehouse().archivedFiles("default");
                long bytes = files.stream().mapToLong(Warehouse.ArchivedFile::bytes).sum();
                BenchMain.OUT.printf("archive: %,d events (time order) into %,d Parquet files (%,d MiB, %.0f B/event) in %.1f s: "
                        + "%,.0f events/s (%s events_metadata rows)%n", events, files.size(), bytes >> 20,
                        (double) bytes / events, secs, events / secs, eventMetadata ? "with" : "without");
            }
            try (Tally tally = Tally.builder().dataDir(data).clock(clock).setting("tally.cache.ttl", "0s")
                    .setting("tally.retention.scheduled", "false").build()) {
                long t0 = System.nanoTime();
                tally.awaitIdle(Duration.ofHours(1));
                double secs = (System.nanoTime() - t0) / 1e9;
                BenchMain.OUT.printf("rollup: %,d events, %d days x 24 hours x 4 metrics, in %.1f s: %,.0f events/s%n",
                        events, days, secs, events / secs);
                queries(tally, start, end);
                compare(tally, data, start, end);
            }
        } finally {
            if (dir == null) {
                BenchMain.delete(data);
            }
        }
        return 0;
    }

    private void fillLog(Path data, InstantSource clock, Instant start) {
        BackendConfig config = BackendConfig.of(Map.of("tally.data-dir", data.toString()), clock);
        SplittableRandom random = new SplittableRandom(11);
        long spanMillis = Duration.ofDays(days).toMillis();
        long t0 = System.nanoTime();
        try (Backend backend = Backends.find("local", HistoryBench.class.getClassLoader()).open(config)) {
            backend.catalog().createProject("default", clock.instant());
            Instant now = clock.instant();
            List<LogRecord> batch = new ArrayList<>(BenchMain.BATCH);
            for (long i = 0; i < events; i++) {
                Event e = event(random, "h" + i, at(random, start, i, spanMillis));
                batch.add(new LogRecord("default", e.eventId(), EventCodec.encode("default", e, now, true)));
                if (batch.size() == BenchMain.BATCH) {
                    backend.eventLog().append("default", batch);
                    batch = new ArrayList<>(BenchMain.BATCH);
                }
            }
            if (!batch.isEmpty()) {
                backend.eventLog().append("default", batch);
            }
        }
        BenchMain.OUT.printf("history: %,d events over %d days appended to the log in %.1f s%n", events, days,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Event {@code i} of the history: in time order, as an export is replayed, with up to a minute of jitter. */
    private Instant at(SplittableRandom random, Instant start, long i, long spanMillis) {
        long base = (long) ((double) i / events * spanMillis);
        return start.plusMillis(Math.max(0, Math.min(spanMillis - 1, base + random.nextLong(120_000) - 60_000)));
    }

    static Event event(SplittableRandom random, String id, Instant at) {
        double u = random.nextDouble();
        String type = TYPES[(int) (u * u * TYPES.length)];
        Event.Builder b = Event.builder(type).eventId(id).userId("user-" + (int) (Math.pow(random.nextDouble(), 3) * 100_000))
                .timestamp(at).country(COUNTRIES[random.nextInt(COUNTRIES.length)])
                .device(DEVICES[random.nextInt(DEVICES.length)]);
        if (type.equals("purchase")) {
            b.property("amount", 1 + random.nextInt(50_000) / 100.0).property("currency", "USD");
        } else {
            b.property("path", "/p/" + random.nextInt(200));
        }
        return b.build();
    }

    private void queries(Tally tally, Instant start, Instant end) {
        MetricQuery revenue = MetricQuery.metric("revenue").between(start, end).granularity(Granularity.DAY)
                .groupBy("country").build();
        MetricQuery perType = MetricQuery.metric("event_count").between(start, end).granularity(Granularity.DAY)
                .groupBy("eventType").build();
        MetricQuery buyers = MetricQuery.metric("buyers").between(start, end).granularity(Granularity.ALL).build();
        for (MetricQuery q : List.of(revenue, perType, buyers)) {
            MetricResult first = tally.query(q);
            long[] nanos = new long[queries];
            for (int i = 0; i < queries; i++) {
                long t0 = System.nanoTime();
                tally.query(q);
                nanos[i] = System.nanoTime() - t0;
            }
            BenchMain.OUT.printf("metric query %s %s over %d days (%d points, source %s, uncached): %s%n", q.metric(),
                    q.granularity().wireName() + (q.groupBy().isEmpty() ? "" : " by " + q.groupBy()), days,
                    first.points().size(), first.source(), Stats.of(nanos).summary());
        }
    }

    /** "Events per type per day": Tally's metric query, H2 over raw rows, DuckDB over the same Parquet files. */
    private void compare(Tally tally, Path data, Instant start, Instant end) throws Exception {
        MetricQuery perType = MetricQuery.metric("event_count").between(start, end).granularity(Granularity.DAY)
                .groupBy("eventType").build();
        double tallyMs = medianMillis(5, () -> tally.query(perType).points().size());
        SqlQuery adHoc = SqlQuery.of(String.format(PER_TYPE_PER_DAY, "timestamp", "events")).limit(10_000);
        double sqlMs = medianMillis(5, () -> tally.sql(adHoc).rows().size());

        List<String> files = new ArrayList<>();
        for (Warehouse.ArchivedFile f : tally.backend().warehouse().archivedFiles("default")) {
            files.add(tally.backend().objects().localFile(f.key()).orElseThrow().toString());
        }
        double duckMs;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            String list = "read_parquet([" + String.join(",", files.stream().map(f -> "'" + f + "'").toList()) + "])";
            String sql = String.format(PER_TYPE_PER_DAY, "timestamp", list);
            duckMs = medianMillis(5, () -> count(st, sql));
        }

        Path h2 = data.resolve("raw-h2");
        double h2Ms;
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + h2.resolve("raw") + ";WRITE_DELAY=0", "sa", "")) {
            long t0 = System.nanoTime();
            loadRaw(c, start);
            BenchMain.OUT.printf("baseline: %,d raw rows loaded into H2 in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
            try (Statement st = c.createStatement()) {
                // H2 reuses the result of an identical query on an unchanged table: measure the query, not that.
                st.execute("SET OPTIMIZE_REUSE_RESULTS FALSE");
                String sql = String.format(PER_TYPE_PER_DAY, "ts", "raw_events");
                h2Ms = medianMillis(3, () -> count(st, sql));
            }
        }
        BenchMain.OUT.printf("events per type per day over %,d events (%d days), median of runs:%n", events, days);
        BenchMain.OUT.printf("  Tally metric query (daily rollup rows):   %9.1f ms%n", tallyMs);
        BenchMain.OUT.printf("  Tally ad-hoc SQL (sandboxed DuckDB):      %9.1f ms  (%.2fx DuckDB)%n", sqlMs, sqlMs / duckMs);
        BenchMain.OUT.printf("  DuckDB GROUP BY over the Parquet archive: %9.1f ms%n", duckMs);
        BenchMain.OUT.printf("  H2 GROUP BY over raw rows:                %9.1f ms  (Tally is %.0fx faster)%n", h2Ms,
                h2Ms / tallyMs);
    }

    /** The same events again, as the raw table a user would keep without Tally. */
    private void loadRaw(Connection c, Instant start) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS raw_events");
            st.execute("CREATE TABLE raw_events (event_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64), "
                    + "event_type VARCHAR(64), ts TIMESTAMP WITH TIME ZONE, country VARCHAR(8), device VARCHAR(16), "
                    + "amount DOUBLE)");
        }
        SplittableRandom random = new SplittableRandom(11);
        long spanMillis = Duration.ofDays(days).toMillis();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (long i = 0; i < events; i++) {
                Event e = event(random, "h" + i, at(random, start, i, spanMillis));
                ps.setString(1, e.eventId());
                ps.setString(2, e.userId());
                ps.setString(3, e.eventType());
                ps.setObject(4, OffsetDateTime.ofInstant(e.timestamp(), ZoneOffset.UTC));
                ps.setString(5, e.context().country());
                ps.setString(6, e.context().device());
                Object amount = e.properties().get("amount");
                ps.setObject(7, amount);
                ps.addBatch();
                if (i % 10_000 == 9_999) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    private static long count(Statement st, String sql) {
        try (ResultSet rs = st.executeQuery(sql)) {
            long n = 0;
            while (rs.next()) {
                n++;
            }
            return n;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double medianMillis(int runs, LongSupplier work) {
        work.getAsLong(); // warm-up
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.getAsLong();
            nanos[i] = System.nanoTime() - t0;
        }
        return Stats.of(nanos).percentileMillis(50);
    }
}
