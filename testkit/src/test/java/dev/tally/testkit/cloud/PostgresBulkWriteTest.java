package dev.tally.testkit.cloud;

import dev.tally.cloud.PostgresDatabase;
import dev.tally.cloud.PostgresWarehouse;
import dev.tally.spi.Aggregate;
import dev.tally.spi.Warehouse;
import dev.tally.spi.Warehouse.AggregateRow;
import dev.tally.spi.Warehouse.EventMetadata;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk writes on PostgreSQL take the {@code COPY} path (batches of 500 rows or more), which the contract's small
 * batches never reach: values that need escaping, nulls, bytea and replacements within one batch must come
 * through exactly as the batched statements write them. Logs the time of the seed-sized batches.
 */
class PostgresBulkWriteTest {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBulkWriteTest.class);

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.create();
    private PostgresDatabase db;
    private Warehouse warehouse;

    @BeforeEach
    void open() {
        db = PostgresTestServer.openDatabase(dir, clock);
        warehouse = new PostgresWarehouse(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Instant hour(int n) {
        return clock.instant().truncatedTo(ChronoUnit.HOURS).plus(n, ChronoUnit.HOURS);
    }

    private EventMetadata event(int i, String status) {
        Instant ts = hour(0).plusMillis(i);
        return new EventMetadata("e-" + i, i % 7 == 0 ? null : "user-" + (i % 1000), "purchase", "p1", ts,
                ts.plusSeconds(1), "p1/events/part-" + (i / 10_000) + ".parquet", "year=2024/month=01/day=15",
                i % 3 == 0 ? null : "hash-" + i, status);
    }

    @Test
    void aHundredThousandEventsAreCopiedOnceEachAndACopyAgainReplacesThem() {
        List<EventMetadata> rows = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            rows.add(event(i, "processed"));
        }
        long started = System.nanoTime();
        warehouse.insertEventMetadata(rows);
        long firstMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(warehouse.countEventMetadata("p1")).isEqualTo(100_000);

        List<EventMetadata> again = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            again.add(event(i, "failed"));
        }
        started = System.nanoTime();
        warehouse.insertEventMetadata(again);
        long secondMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("insertEventMetadata of 100,000 rows: {} ms new, {} ms all replaced", firstMs, secondMs);

        assertThat(warehouse.countEventMetadata("p1")).isEqualTo(100_000);
        assertThat(warehouse.eventMetadata("p1", "e-7")).hasValueSatisfying(m -> {
            assertThat(m.userId()).isNull();
            assertThat(m.propertiesHash()).isEqualTo("hash-7");
            assertThat(m.timestamp()).isEqualTo(hour(0).plusMillis(7));
        });
        assertThat(warehouse.eventMetadata("p1", "e-9")).hasValueSatisfying(m -> {
            assertThat(m.userId()).isEqualTo("user-9");
            assertThat(m.propertiesHash()).isNull();
            assertThat(m.status()).isEqualTo("pending"); // its file is not committed
        });
    }

    @Test
    void textThatCopyMustEscapeRoundTrips() {
        String awkward = "tab\there, newline\nthere, return\r, backslash \\ and \\N, \\x41, quote ' \" and é 東京 🎉";
        List<EventMetadata> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Instant ts = hour(0).plusSeconds(i);
            rows.add(new EventMetadata("e-" + i, awkward + i, "purchase", "p1", ts, ts, "p1/events/a.parquet",
                    "day", null, "processed"));
        }
        warehouse.insertEventMetadata(rows);
        assertThat(warehouse.eventMetadata("p1", "e-599"))
                .hasValueSatisfying(m -> assertThat(m.userId()).isEqualTo(awkward + 599));
    }

    @Test
    void tenThousandAggregatesAreUpsertedWithTheLastRowOfAKeyWinning() {
        List<AggregateRow> rows = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Aggregate a = Aggregate.empty();
            a.addEvent();
            a.addValue(i);
            a.addUser("user-" + i);
            rows.add(new AggregateRow("p1", "revenue", "sum", "hour", hour(i / 100), i % 10 == 0 ? null : (double) i,
                    Map.of("country", "c" + (i % 100), "note", "a\tb\\c"), a));
        }
        // the same key again later in the batch: it replaces the first
        Aggregate replacement = Aggregate.empty();
        replacement.addEvent();
        replacement.addValue(0.25);
        rows.add(new AggregateRow("p1", "revenue", "sum", "hour", hour(0), 0.25,
                Map.of("note", "a\tb\\c", "country", "c0"), replacement));

        long started = System.nanoTime();
        warehouse.upsertAggregates(rows);
        long firstMs = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        warehouse.upsertAggregates(rows);
        long secondMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("upsertAggregates of 10,000 rows: {} ms new, {} ms all replaced", firstMs, secondMs);

        List<AggregateRow> read = warehouse.aggregates("p1", "revenue", "hour", hour(0), hour(100));
        assertThat(read).hasSize(10_000);
        assertThat(read).filteredOn(r -> r.timestamp().equals(hour(0)) && r.dimensions().get("country").equals("c0"))
                .singleElement().satisfies(r -> {
                    assertThat(r.value()).isEqualTo(0.25);
                    assertThat(r.aggregate().sum()).isEqualTo(0.25);
                    assertThat(r.dimensions()).isEqualTo(Map.of("country", "c0", "note", "a\tb\\c"));
                });
        assertThat(read).filteredOn(r -> r.timestamp().equals(hour(99)) && r.dimensions().get("country").equals("c90"))
                .singleElement().satisfies(r -> {
                    assertThat(r.value()).isNull();
                    assertThat(r.aggregate().count()).isEqualTo(1);
                    assertThat(r.aggregate().distinctUsers()).isEqualTo(1.0);
                });
    }
}
