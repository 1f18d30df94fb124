package dev.tally.bench;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.spi.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Ad-hoc SQL latency: "events per type per day" over archived events through {@code Tally.sql} (statement
 * check, a fresh locked-down DuckDB, the view over the manifest's files) against plain DuckDB on the same
 * files, with one long-lived connection and with a new connection per query.
 */
@Command(name = "sql", description = "SQL latency over archived events: Tally.sql vs plain DuckDB on the same files")
final class SqlBench implements Callable<Integer> {
    static final String QUERY = "SELECT event_type, CAST(date_trunc('day', \"timestamp\") AS DATE) AS day, count(*) AS n "
            + "FROM events GROUP BY ALL ORDER BY ALL";
    private static final String[] TYPES = {"page_view", "click", "purchase", "signup", "search"};

    @Option(names = "--events", defaultValue = "1000000", description = "events to archive (default ${DEFAULT-VALUE})")
    long events = 1_000_000;

    @Option(names = "--days", defaultValue = "7", description = "days they spread over (default ${DEFAULT-VALUE})")
    int days = 7;

    @Option(names = "--runs", defaultValue = "30", description = "timed runs per variant (default ${DEFAULT-VALUE})")
    int runs = 30;

    @Override
    public Integer call() throws Exception {
        Path dir = BenchMain.tempDir("tally-bench-sql-");
        Instant end = Instant.parse("2024-02-01T00:00:00Z");
        Instant start = end.minus(Duration.ofDays(days));
        try (Tally tally = Tally.builder().dataDir(dir).clock(Clock.fixed(end, ZoneOffset.UTC)).build()) {
            long t0 = System.nanoTime();
            archive(tally, start, end);
            List<Warehouse.ArchivedFile> files = tally.backend().warehouse().archivedFiles("default");
            long bytes = files.stream().mapToLong(Warehouse.ArchivedFile::bytes).sum();
            BenchMain.OUT.printf("archived %,d events over %d days in %,d files (%,d MiB) in %.1f s%n", events, days,
                    files.size(), bytes >> 20, (System.nanoTime() - t0) / 1e9);

            SqlResult check = tally.sql(SqlQuery.of(QUERY));
            long total = check.rows().stream().mapToLong(r -> (Long) r.get(2)).sum();
            BenchMain.OUT.printf("query: %s%n  %d rows, %,d events counted%n", QUERY, check.rows().size(), total);

            Stats tallyStats = time(() -> tally.sql(SqlQuery.of(QUERY)));
            Stats narrow = time(() -> tally.sql(SqlQuery.of(QUERY).between(end.minus(Duration.ofDays(1)), end)));
            String list = files.stream()
                    .map(f -> "'" + tally.backend().objects().localFile(f.key()).orElseThrow() + "'")
                    .collect(Collectors.joining(", ", "[", "]"));
            String plain = QUERY.replace("FROM events", "FROM read_parquet(" + list + ")");
            Stats duckFresh = time(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                    run(c, plain);
                }
            });
            Stats duckWarm;
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                duckWarm = time(() -> run(c, plain));
            }
            BenchMain.OUT.printf("  Tally.sql, all %d days:                 %s%n", days, tallyStats.summary());
            BenchMain.OUT.printf("  Tally.sql, last day (from/to, pruned):  %s%n", narrow.summary());
            BenchMain.OUT.printf("  plain DuckDB, new connection per query: %s%n", duckFresh.summary());
            BenchMain.OUT.printf("  plain DuckDB, one warm connection:      %s%n", duckWarm.summary());
        } finally {
            BenchMain.delete(dir);
        }
        return 0;
    }

    /** Imports events in time order (as a backfill usually arrives), so the archive writes few files per hour. */
    private void archive(Tally tally, Instant start, Instant end) {
        SplittableRandom random = new SplittableRandom(17);
        long span = Duration.between(start, end).toMillis();
        for (long sent = 0; sent < events; sent += BenchMain.BATCH) {
            List<Event> batch = new ArrayList<>(BenchMain.BATCH);
            for (int i = 0; i < BenchMain.BATCH && sent + i < events; i++) {
                batch.add(Event.builder(TYPES[random.nextInt(TYPES.length)]).eventId("e" + (sent + i))
                        .userId("user-" + random.nextInt(100_000)).timestamp(start.plusMillis(span * (sent + i) / events))
                        .property("amount", random.nextInt(10_000) / 100.0).country("US").device("mobile").build());
            }
            tally.importEvents(batch);
        }
        tally.awaitIdle(Duration.ofMinutes(10));
    }

    private static void run(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rs.getLong(3);
            }
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private Stats time(Work work) throws Exception {
        for (int i = 0; i < 3; i++) {
            work.run();
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            work.run();
            nanos[i] = System.nanoTime() - s;
        }
        return Stats.of(nanos);
    }
}
