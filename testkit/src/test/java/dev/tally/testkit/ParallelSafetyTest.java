package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.Event;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static dev.tally.testkit.TallyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Proves that {@code @TallyTest} is safe under JUnit parallel execution: runs {@link FourAtATime} through the JUnit
 * launcher with a fixed pool of four threads, where every test waits at a barrier until four tests are in flight
 * (so they really overlap), then checks that each saw only its own engine and events.
 */
class ParallelSafetyTest {
    private static final int THREADS = 4;

    @Test
    void testsRunningAtTheSameTime_eachHaveTheirOwnEngine() {
        FourAtATime.ENGINES.clear();
        LauncherDiscoveryRequest discovery = request()
                .selectors(selectClass(FourAtATime.class))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism",
                        String.valueOf(THREADS))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(discovery, listener);

        TestExecutionSummary summary = listener.getSummary();
        StringWriter failures = new StringWriter();
        summary.printFailuresTo(new PrintWriter(failures), 20);
        assertThat(summary.getTestsSucceededCount()).as(failures.toString()).isEqualTo(2L * THREADS);
        assertThat(FourAtATime.ENGINES).hasSize(2 * THREADS);
    }

    /** Launched by the test above only (a static nested class: Surefire does not pick it up on its own). */
    @TallyTest
    static class FourAtATime {
        static final Set<Tally> ENGINES = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        private static final CyclicBarrier ALL_IN_FLIGHT = new CyclicBarrier(THREADS);

        @RepeatedTest(2 * THREADS)
        void countsOnlyItsOwnEvents(Tally tally, TestClock clock, RepetitionInfo repetition) throws Exception {
            ENGINES.add(tally);
            int mine = repetition.getCurrentRepetition();
            for (int i = 0; i < mine; i++) {
                tally.ingest(Event.builder("click").userId("u" + i).timestamp(clock.instant()).build());
            }
            clock.advance(Duration.ofSeconds(mine));
            ALL_IN_FLIGHT.await(30, TimeUnit.SECONDS);   // throws if fewer than four tests overlap

            assertThat(tally).metric("event_count").total().isEqualTo(mine);
            assertThat(clock.instant()).isEqualTo(TestClock.DEFAULT_START.plusSeconds(mine));
        }
    }
}
