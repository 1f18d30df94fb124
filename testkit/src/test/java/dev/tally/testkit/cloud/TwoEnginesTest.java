package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.ConfigurationException;
import dev.tally.api.Event;
import dev.tally.api.MetricQuery;
import dev.tally.api.MetricResult;
import dev.tally.api.Granularity;
import dev.tally.cloud.CloudBackend;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two engines (two {@code tally serve} instances) on one set of stores: dedup is global, aggregates count every
 * event once, exactly one engine runs the background jobs, and the other takes over when it stops.
 */
@CloudStackTest
class TwoEnginesTest {
    private static final Instant START = Instant.parse("2024-01-15T08:00:00Z");

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at(START.plus(Duration.ofMinutes(30)));
    private Tally a;
    private Tally b;

    @BeforeEach
    void openTwoEngines(EmbeddedCloudStack stack) {
        String namespace = EmbeddedCloudStack.freshNamespace();
        a = open(stack, namespace, "a");
        b = open(stack, namespace, "b");
    }

    /**
     * One engine of the pair. A follower's {@code awaitIdle} waits for the leader's next archive roll, so the
     * roll interval is short here.
     */
    private Tally open(EmbeddedCloudStack stack, String namespace, String name) {
        return Tally.builder().backend("cloud").clock(clock).settings(stack.settingsFor(namespace, dir.resolve(name)))
                .setting("tally.archive.roll-interval", "2s").build();
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void duplicateSentToEachEngine_isCountedOnce() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(Event.builder("click").eventId("e-" + i).userId("u" + (i % 17))
                    .timestamp(START.plusSeconds(i * 5L)).build());
        }
        BatchResult first = a.ingest(events);
        BatchResult second = b.ingest(events.subList(0, 150));
        BatchResult third = b.ingest(events.subList(100, 200));

        assertThat(first.accepted()).isEqualTo(200);
        assertThat(second.accepted()).isZero();
        assertThat(second.duplicates()).isEqualTo(150);
        assertThat(third.duplicates()).isEqualTo(100);

        a.awaitIdle();
        b.awaitIdle();
        for (Tally engine : List.of(a, b)) {
            assertThat(total(engine, "event_count")).isEqualTo(200.0);
            assertThat(total(engine, "unique_users")).isEqualTo(17.0);
        }
    }

    @Test
    void eventsIngestedThroughBothEngines_areAllCounted() {
        for (int i = 0; i < 300; i++) {
            Tally via = i % 2 == 0 ? a : b;
            via.ingest(Event.builder("view").eventId("v-" + i).userId("u" + i).timestamp(START.plusSeconds(i)).build());
        }
        a.awaitIdle();
        b.awaitIdle();

        assertThat(total(b, "event_count")).isEqualTo(300.0);
    }

    @Test
    void oneEngineRunsTheBackgroundJobs_andTheOtherTakesOverWhenItStops() {
        CloudBackend backendA = (CloudBackend) a.backend();
        CloudBackend backendB = (CloudBackend) b.backend();
        awaitOneLeader(backendA, backendB);
        assertThat(backendA.leadsBackgroundJobs() ^ backendB.leadsBackgroundJobs()).as("exactly one leads").isTrue();

        Tally leader = backendA.leadsBackgroundJobs() ? a : b;
        Tally follower = leader == a ? b : a;
        leader.close();
        if (leader == a) {
            a = null;
        } else {
            b = null;
        }
        CloudBackend survivor = (CloudBackend) follower.backend();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!survivor.leadsBackgroundJobs() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(survivor.leadsBackgroundJobs()).as("the remaining engine took over").isTrue();

        follower.ingest(Event.builder("view").eventId("after").userId("u").timestamp(START.plusSeconds(10)).build());
        follower.awaitIdle();
        assertThat(total(follower, "event_count")).isEqualTo(1.0);
    }

    @Test
    void anIngestOnlyEngine_neverLeads_andWhatItTakesIsCountedByTheLeader(EmbeddedCloudStack stack) {
        String namespace = EmbeddedCloudStack.freshNamespace();
        try (Tally ingestTier = Tally.builder().backend("cloud").clock(clock)
                .settings(stack.settingsFor(namespace, dir.resolve("ingest")))
                .setting("tally.cloud.role", "ingest").build()) {
            for (int i = 0; i < 100; i++) {
                ingestTier.ingest(Event.builder("view").eventId("i-" + i).userId("u" + i % 7)
                        .timestamp(START.plusSeconds(i)).build());
            }
            assertThat(((CloudBackend) ingestTier.backend()).leadsBackgroundJobs()).isFalse();
            try (Tally leader = open(stack, namespace, "leader")) {
                awaitOneLeader((CloudBackend) leader.backend(), (CloudBackend) ingestTier.backend());
                assertThat(((CloudBackend) leader.backend()).leadsBackgroundJobs()).isTrue();
                assertThat(((CloudBackend) ingestTier.backend()).leadsBackgroundJobs()).isFalse();
                ingestTier.awaitIdle(); // follows the leader's checkpoints
                assertThat(total(ingestTier, "event_count")).isEqualTo(100.0);
                assertThat(total(leader, "unique_users")).isEqualTo(7.0);
            }
        }
    }

    @Test
    void anUnknownRole_isRefusedNamingTheSetting(EmbeddedCloudStack stack) {
        assertThatThrownBy(() -> Tally.builder().backend("cloud").clock(clock)
                .settings(stack.settingsFor(EmbeddedCloudStack.freshNamespace(), dir.resolve("bad")))
                .setting("tally.cloud.role", "aggregator").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.cloud.role");
    }

    /** Election is asynchronous (a Kafka group rebalance): waits until one of them reports leading. */
    private static void awaitOneLeader(CloudBackend x, CloudBackend y) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!x.leadsBackgroundJobs() && !y.leadsBackgroundJobs() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** The metric's one value over the test hour. */
    private static double total(Tally engine, String metric) {
        MetricResult r = engine.query(MetricQuery.metric(metric).between(START, START.plus(Duration.ofHours(1)))
                .granularity(Granularity.ALL).build());
        assertThat(r.points()).hasSize(1);
        return r.points().get(0).value();
    }
}
