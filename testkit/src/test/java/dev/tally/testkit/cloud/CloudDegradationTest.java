package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.api.BackendUnavailableException;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.SqlQuery;
import dev.tally.engine.query.QueryService;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the cloud profile degrades when one of its stores goes down mid-test (the real server is stopped), and that
 * it recovers fully, without duplicates, once the server is back. The stack is shared with other test classes, so
 * every test restarts what it stopped.
 */
@CloudStackTest
class CloudDegradationTest {
    private static final Instant START = Instant.parse("2024-01-15T08:00:00Z");
    private static final Duration IDLE = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private EmbeddedCloudStack stack;
    private final TestClock clock = TestClock.at(START.plus(Duration.ofMinutes(50)));
    private Tally tally;

    @BeforeEach
    void open(EmbeddedCloudStack stack) {
        this.stack = stack;
        tally = Tally.builder().backend("cloud").clock(clock)
                .settings(stack.settingsFor(EmbeddedCloudStack.freshNamespace(), dir))
                .setting("tally.archive.roll-interval", "2s").build();
    }

    @AfterEach
    void close() {
        if (tally != null) {
            tally.close();
        }
    }

    @Test
    void kafkaDown_eventsAreAcknowledgedIntoTheSpoolAndDeliveredWhenItReturns() throws Exception {
        assertThat(tally.ingest(events("before-", 100)).accepted()).isEqualTo(100);
        tally.awaitIdle(IDLE);

        stack.kafka().stop();
        BatchResult during;
        try {
            during = tally.ingest(events("during-", 100));
            assertThat(tally.ingest(events("during2-", 50)).accepted()).isEqualTo(50);
            assertThat(Files.list(dir.resolve("log-spool")).filter(p -> p.toString().endsWith(".batch")))
                    .as("acknowledged into the durable spool").isNotEmpty();
            assertThat(tally.ingest(events("during-", 10)).duplicates()).as("dedup still answers").isEqualTo(10);
        } finally {
            stack.kafka().restart();
        }
        assertThat(during.accepted()).isEqualTo(100);

        tally.awaitIdle(IDLE);
        assertThat(total("event_count")).as("every acknowledged event, once").isEqualTo(250.0);
        assertThat(Files.list(dir.resolve("log-spool")).filter(p -> p.toString().endsWith(".batch"))).isEmpty();
        assertThat(archivedEvents()).as("archived exactly once").isEqualTo(250);
    }

    @Test
    void redisDown_queriesFallBackToTheArchiveAndSaySo() {
        tally.ingest(events("e-", 120));
        tally.awaitIdle(IDLE);
        assertThat(query("event_count").source()).isEqualTo(QueryService.SOURCE_REALTIME);

        stack.redis().stop();
        try {
            MetricResult degraded = query("event_count");
            assertThat(degraded.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(120.0));
            assertThat(degraded.source()).isEqualTo(QueryService.SOURCE_WAREHOUSE);
            assertThat(degraded.notes()).contains(QueryService.WINDOWS_UNAVAILABLE_NOTE);
            assertThatThrownBy(() -> tally.ingest(events("while-down-", 5)))
                    .as("without the dedup index an event cannot be checked: a clear retry-later error")
                    .isInstanceOf(BackendUnavailableException.class);
        } finally {
            stack.redis().restart();
        }

        assertThat(ingestRetrying(events("after-", 30)).accepted()).isEqualTo(30);
        tally.awaitIdle(IDLE);
        MetricResult recovered = query("event_count");
        assertThat(recovered.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(150.0));
        assertThat(recovered.source()).isEqualTo(QueryService.SOURCE_REALTIME);
        assertThat(recovered.notes()).doesNotContain(QueryService.WINDOWS_UNAVAILABLE_NOTE);
    }

    @Test
    void postgresDown_ingestionContinuesAndSchemaRegistrationFailsClearly() {
        tally.registerSchema("click", "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}}}");
        tally.ingest(events("before-", 60));
        tally.awaitIdle(IDLE);

        stack.postgres().stop();
        try {
            assertThat(tally.ingest(events("during-", 80)).accepted()).as("ingestion continues").isEqualTo(80);
            assertThat(tally.ingest(events("during-", 5)).duplicates()).isEqualTo(5);
            assertThatThrownBy(() -> tally.registerSchema("other", "{\"type\":\"object\"}"))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("PostgreSQL");
            // awaitIdle() would wait for the archive, which cannot commit now: wait for the windows alone.
            MetricResult recent = awaitTotal("event_count", 140.0);
            assertThat(recent.notes()).contains(QueryService.WAREHOUSE_UNAVAILABLE_NOTE);
        } finally {
            stack.postgres().restart();
        }

        tally.awaitIdle(IDLE);
        assertThat(total("event_count")).isEqualTo(140.0);
        assertThat(archivedEvents()).as("the archive caught up once the manifest could be committed").isEqualTo(140);
        assertThat(tally.registerSchema("other", "{\"type\":\"object\"}").version()).isEqualTo(1);
    }

    /** Events in time order across calls (never late), two seconds apart; a resent prefix repeats the same events. */
    private List<Event> events(String prefix, int n) {
        List<Event> out = new ArrayList<>();
        long first = firstSecond.computeIfAbsent(prefix, p -> nextSecond.getAndAdd(2L * n));
        for (int i = 0; i < n; i++) {
            out.add(Event.builder("click").eventId(prefix + i).userId("u" + (i % 23))
                    .timestamp(START.plusSeconds(first + 2L * i)).build());
        }
        return out;
    }

    private final java.util.Map<String, Long> firstSecond = new java.util.HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong nextSecond = new java.util.concurrent.atomic.AtomicLong();

    private MetricResult query(String metric) {
        return tally.query(MetricQuery.metric(metric).between(START, START.plus(Duration.ofHours(1)))
                .granularity(Granularity.ALL).build());
    }

    /**
     * Ingests like a client that retries 503 answers: right after a server returns, its connection is re-established
     * in the background (within a few hundred milliseconds).
     */
    private BatchResult ingestRetrying(List<Event> batch) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return tally.ingest(batch);
            } catch (BackendUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        }
    }

    /** Queries until the metric's total reaches {@code expected} (the aggregator is asynchronous), at most 30 s. */
    private MetricResult awaitTotal(String metric, double expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        MetricResult r = query(metric);
        while (!(r.points().size() == 1 && r.points().get(0).value() == expected) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            r = query(metric);
        }
        assertThat(r.points()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(expected));
        return r;
    }

    private double total(String metric) {
        MetricResult r = query(metric);
        assertThat(r.points()).hasSize(1);
        return r.points().get(0).value();
    }

    /** Events in committed archive files, read back through SQL (the archive's own reader); each id once. */
    private long archivedEvents() {
        List<Object> row = tally.sql(SqlQuery.of("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events"))
                .rows().get(0);
        long rows = ((Number) row.get(0)).longValue();
        assertThat(((Number) row.get(1)).longValue()).as("no event archived twice").isEqualTo(rows);
        return rows;
    }
}
