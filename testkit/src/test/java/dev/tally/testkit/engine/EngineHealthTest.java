package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.EngineHealth;
import dev.tally.api.Event;
import dev.tally.testkit.TallyTest;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@TallyTest
class EngineHealthTest {

    @Test
    void aFreshEngineIsAggregatingWithNoLag(Tally tally) {
        EngineHealth health = tally.health();
        assertThat(health.aggregating()).isTrue();
        assertThat(health.lag()).isZero();
        assertThat(health.lastFailure()).isNull();
    }

    @Test
    void lagIsZeroOnceEverythingAcknowledgedIsAggregated(Tally tally, TestClock clock) {
        tally.ingest(Event.builder("e").timestamp(clock.instant()).build());
        tally.awaitIdle();
        clock.advance(Duration.ofMinutes(10));
        EngineHealth health = tally.health();
        assertThat(health.lag()).isZero();
        assertThat(health.lastFlush()).isNotNull();
    }
}
