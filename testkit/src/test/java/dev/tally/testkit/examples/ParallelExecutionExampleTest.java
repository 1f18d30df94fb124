package dev.tally.testkit.examples;

import dev.tally.Tally;
import dev.tally.testkit.EventGenerator;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.time.Duration;

import static dev.tally.testkit.TallyAssertions.assertThat;

/**
 * Example: tests that run at the same time (JUnit parallel execution) each get their own engine, directory and
 * clock, so they cannot see each other's events — no global state, nothing to reset. Enable it with
 * {@code junit.jupiter.execution.parallel.enabled=true} in {@code junit-platform.properties} and
 * {@code @Execution(CONCURRENT)} (or the default mode {@code concurrent}). {@code ParallelSafetyTest} runs tests
 * like these on four threads at once and checks that they really overlapped.
 */
@TallyTest
@Execution(ExecutionMode.CONCURRENT)
class ParallelExecutionExampleTest {
    @RepeatedTest(12)
    void eachTestCountsOnlyItsOwnEvents(Tally tally, TestClock clock, RepetitionInfo repetition) {
        int mine = 10 * repetition.getCurrentRepetition();   // a different number of events per test
        EventGenerator.registerSchemas(tally);
        tally.ingest(EventGenerator.builder().seed(repetition.getCurrentRepetition())
                .start(clock.instant().minus(Duration.ofMinutes(1))).rate(mine).build().next(mine));
        clock.advance(Duration.ofMinutes(repetition.getCurrentRepetition()));   // clocks are per test too

        assertThat(tally).metric("event_count").total().isEqualTo(mine);
        assertThat(tally).rejectedEvents().isEmpty();
    }
}
