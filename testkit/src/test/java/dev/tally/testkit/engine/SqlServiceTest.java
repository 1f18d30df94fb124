package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.OverloadedException;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.engine.sql.SqlService;
import dev.tally.engine.sql.SqlSettings;
import dev.tally.spi.ObjectStore;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SQL service's execution policy on real archived events, with its observer seam holding executions open:
 * identical concurrent queries share one execution, a full service refuses at once, remote object stores are
 * read through a local cache, and random input only ever fails as bad input.
 */
class SqlServiceTest {
    private static final String COUNT = "SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1";

    @TempDir
    static Path dir;
    static Tally tally;
    static SqlResult expected;

    @BeforeAll
    static void archive() {
        tally = Tally.builder().dataDir(dir).clock(TestClock.at(SqlQueryTest.T0)).build();
        List<Event> events = SqlQueryTest.generate("e", 400, new Random(3));
        tally.importEvents(events);
        tally.awaitIdle();
        expected = tally.sql(SqlQuery.of(COUNT));
    }

    @AfterAll
    static void close() {
        tally.close();
    }

    /** Holds the first execution open until released, and counts executions and joins. */
    static final class Gate implements SqlService.Observer {
        final AtomicInteger executions = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch joined;

        Gate(int expectedJoins) {
            joined = new CountDownLatch(expectedJoins);
        }

        @Override
        public void executing(String queryId) {
            if (executions.incrementAndGet() == 1) {
                entered.countDown();
                await(release);
            }
        }

        @Override
        public void joined() {
            joined.countDown();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch released").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static SqlService service(SqlSettings settings, SqlService.Observer observer) {
        return new SqlService(tally.backend().warehouse(), tally.backend().objects(), settings, observer);
    }

    @Test
    void identicalConcurrentQueries_shareOneExecution() throws Exception {
        Gate gate = new Gate(2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (SqlService sql = service(SqlSettings.defaults(), gate)) {
            Future<SqlResult> first = pool.submit(() -> sql.query("default", SqlQuery.of(COUNT)));
            await(gate.entered);
            // the same statement spaced and cased differently is the same query
            Future<SqlResult> second = pool.submit(() -> sql.query("default",
                    SqlQuery.of("select event_type, count(*) as n\n  from events group by 1 order by 1")));
            Future<SqlResult> third = pool.submit(() -> sql.query("default", SqlQuery.of(COUNT)));
            await(gate.joined);
            gate.release.countDown();

            SqlResult a = first.get(30, TimeUnit.SECONDS);
            assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(a);
            assertThat(third.get(30, TimeUnit.SECONDS).queryId()).isEqualTo(a.queryId());
            assertThat(gate.executions).hasValue(1);
            assertThat(a.rows()).isEqualTo(expected.rows());

            // once it finished, the same query runs again, with a new id; another limit is another query
            SqlResult again = sql.query("default", SqlQuery.of(COUNT));
            assertThat(again.queryId()).isNotEqualTo(a.queryId());
            sql.query("default", SqlQuery.of(COUNT).limit(1));
            assertThat(gate.executions).hasValue(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullService_refusesAtOnceAndServesAgainAfterwards() throws Exception {
        Gate gate = new Gate(0);
        SqlSettings oneSlot = new SqlSettings(100, Duration.ofSeconds(20), 1, 0, Duration.ZERO, 1000, 1 << 20, "256MB", 1, null);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SqlService sql = service(oneSlot, gate)) {
            Future<SqlResult> holding = pool.submit(() -> sql.query("default", SqlQuery.of(COUNT)));
            await(gate.entered);

            assertThatThrownBy(() -> sql.query("default", SqlQuery.of("SELECT 1")))
                    .isInstanceOf(OverloadedException.class)
                    .satisfies(e -> assertThat(((OverloadedException) e).retryAfter()).isPositive());

            gate.release.countDown();
            assertThat(holding.get(30, TimeUnit.SECONDS).rows()).isEqualTo(expected.rows());
            assertThat(sql.query("default", SqlQuery.of("SELECT 1")).rows()).containsExactly(List.of(1L));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRemoteObjectStore_isReadThroughALocalCacheRemovedOnClose(@TempDir Path cache) throws IOException {
        ObjectStore local = tally.backend().objects();
        ObjectStore remote = new ObjectStore() { // the same objects, but not as files: as S3 would be
            @Override
            public void put(String key, byte[] content) {
                local.put(key, content);
            }

            @Override
            public void putFile(String key, Path source) {
                local.putFile(key, source);
            }

            @Override
            public Optional<byte[]> get(String key) {
                return local.get(key);
            }

            @Override
            public SeekableByteChannel open(String key) throws IOException {
                return local.open(key);
            }

            @Override
            public List<ObjectInfo> list(String prefix) {
                return local.list(prefix);
            }

            @Override
            public void move(String fromKey, String toKey) {
                local.move(fromKey, toKey);
            }

            @Override
            public void delete(String key) {
                local.delete(key);
            }
        };
        SqlSettings settings = new SqlSettings(10_000, Duration.ofSeconds(20), 2, 8, Duration.ofSeconds(5), 65536,
                16 << 20, "512MB", 2, cache);
        try (SqlService sql = new SqlService(tally.backend().warehouse(), remote, settings)) {
            SqlResult r = sql.query("default", SqlQuery.of(COUNT));
            assertThat(r.rows()).isEqualTo(expected.rows());
            assertThat(r.filesRead()).isPositive();
            try (Stream<Path> copies = Files.list(cache.resolve("tally-sql-cache"))) {
                assertThat(copies.count()).isEqualTo(r.filesRead());
            }
            assertThat(sql.query("default", SqlQuery.of(COUNT)).rows()).isEqualTo(expected.rows()); // from the cache
            assertThatThrownBy(() -> sql.query("default", SqlQuery.of("SELECT x FROM events")))
                    .isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(cache.toString()));
        }
        assertThat(cache.resolve("tally-sql-cache")).doesNotExist();
    }

    @Test
    void randomInput_failsOnlyAsBadInputAndTheServiceKeepsServing() {
        String[] tokens = {"SELECT", "select", "FROM", "events", "WHERE", "timestamp", ">=", "'2024-01-13'", "AND",
                "OR", "(", ")", ",", "*", "count(*)", "GROUP BY", "1", "ORDER", "BY", "LIMIT", ";", "--", "/*", "*/",
                "'", "\"", "properties['amount']", "context.country", "CAST(", "AS", "DOUBLE", "JOIN", "UNION",
                "WITH", "x", "read_parquet(", "'/etc/passwd'", "COPY", "TO", "ATTACH", "SET", "DROP", "VIEW",
                "range(5)", "NULL", "::", "INTERVAL", "1 day", "[1,2]", "{'a':1}", "$1", "?", "\\", "\u0000", "é",
                "🙂", "PIVOT", "UNPIVOT", "QUALIFY", "WINDOW", "OVER", "lambda", "->", "E'\\x00'"};
        Random random = new Random(11);
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + random.nextInt(14);
            for (int j = 0; j < n; j++) {
                b.append(random.nextInt(10) == 0 ? randomText(random) : tokens[random.nextInt(tokens.length)]).append(' ');
            }
            statements.add(b.toString());
        }
        int ok = 0;
        for (String s : statements) {
            try {
                tally.sql(SqlQuery.of(s).limit(5));
                ok++;
            } catch (InvalidRequestException expectedRefusal) {
                assertThat(expectedRefusal.getMessage()).as(s).isNotBlank();
            }
        }
        assertThat(ok).isLessThan(statements.size());
        assertThat(tally.sql(SqlQuery.of(COUNT)).rows()).isEqualTo(expected.rows());
    }

    private static String randomText(Random random) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(20);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(random.nextInt(3) == 0 ? random.nextInt(0x2FFF) : 32 + random.nextInt(95));
        }
        return b.toString();
    }
}
