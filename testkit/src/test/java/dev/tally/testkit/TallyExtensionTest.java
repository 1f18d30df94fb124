package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.Granularity;
import dev.tally.api.MetricQuery;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TallyExtensionTest {

    private static double eventCount(Tally tally, TestClock clock) {
        var r = tally.query(MetricQuery.metric("event_count")
                .between(clock.instant().minus(Duration.ofHours(1)), clock.instant().plus(Duration.ofHours(1)))
                .granularity(Granularity.ALL).build());
        return r.points().isEmpty() ? 0 : r.points().get(0).value();
    }

    @Nested
    @TallyTest
    @Execution(ExecutionMode.CONCURRENT)
    class PerTestEngines {
        private static final Set<Tally> SEEN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

        @RepeatedTest(4)
        void eachTestGetsAFreshEngineEvenWhenRunInParallel(Tally tally, TestClock clock) {
            assertThat(SEEN.add(tally)).as("a new Tally instance").isTrue();
            assertThat(eventCount(tally, clock)).isZero();
            tally.ingest(Event.builder("e").userId("u").timestamp(clock.instant()).build());
            tally.awaitIdle();
            assertThat(eventCount(tally, clock)).isEqualTo(1.0);
        }

        @Test
        void awaitIdleOnAnEngineWithNoEventsReturnsAtOnce(Tally tally) {
            long started = System.nanoTime();
            tally.awaitIdle(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }

        @Test
        void theClockStartsAtTheDefaultAndMovesOnlyWhenTold(TestClock clock) {
            assertThat(clock.instant()).isEqualTo(TestClock.DEFAULT_START);
            clock.advance(Duration.ofMinutes(5));
            assertThat(clock.instant()).isEqualTo(TestClock.DEFAULT_START.plus(Duration.ofMinutes(5)));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OneEnginePerClass {
        @RegisterExtension
        static final TallyExtension TALLY = TallyExtension.local().withClockAt(Instant.parse("2025-06-01T00:00:00Z"));

        private Tally first;

        @RepeatedTest(3)
        void staticRegistrationSharesOneEngine(Tally tally, TestClock clock) {
            if (first == null) {
                first = tally;
            }
            assertThat(tally).isSameAs(first);
            assertThat(clock.instant()).isAfterOrEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
        }
    }

    @Nested
    class InstanceRegistration {
        @RegisterExtension
        final TallyExtension tally = TallyExtension.local().withSetting("tally.windows.allowed-lateness", "1m");

        @Test
        void settingsReachTheEngine(Tally tally, TestClock clock) {
            Instant now = clock.instant();
            tally.ingest(Event.builder("e").eventId("a").timestamp(now).build());
            tally.ingest(Event.builder("e").eventId("b").timestamp(now.minus(Duration.ofMinutes(3))).build());
            tally.awaitIdle();
            assertThat(tally.rejectedEvents(10)).singleElement().satisfies(r -> assertThat(r.eventId()).isEqualTo("b"));
        }
    }

    @Nested
    class CloudRegistration {
        @RegisterExtension
        final TallyExtension tally = TallyExtension.cloud().withSetting("tally.windows.allowed-lateness", "1m");

        @Test
        void theCloudProfileRunsOnTheEmbeddedStackWithTheSameFixtures(Tally tally, TestClock clock) {
            assertThat(tally.backend().name()).isEqualTo("cloud");
            assertThat(clock.instant()).isEqualTo(TestClock.DEFAULT_START);
            tally.ingest(Event.builder("e").eventId("a").timestamp(clock.instant()).build());
            tally.ingest(Event.builder("e").eventId("b").timestamp(clock.instant().minus(Duration.ofMinutes(3))).build());
            tally.awaitIdle();
            assertThat(eventCount(tally, clock)).isEqualTo(1.0);
            assertThat(tally.rejectedEvents(10)).singleElement().satisfies(r -> assertThat(r.eventId()).isEqualTo("b"));
        }
    }
}
