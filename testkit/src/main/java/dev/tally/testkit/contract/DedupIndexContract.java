package dev.tally.testkit.contract;

import dev.tally.spi.DedupIndex;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of {@link DedupIndex}: which event ids a project has already accepted.
 *
 * <p>What it pins down: {@link DedupIndex#markIfAbsent} answers per id, in order, and counts an id repeated
 * within one call as present from its second occurrence; ids are scoped by project; an id stays marked at least
 * until its {@code expiresAt} on the backend's clock and is forgotten once that clock is past it (allowing
 * {@link #expiryGranularity()} of rounding up); {@link DedupIndex#unmark} forgets exactly the ids given; and
 * marks, unmarks and expiries survive a clean reopen.
 *
 * <p>Time comes only from the {@link dev.tally.testkit.TestClock} the backend was opened with: the tests move
 * it past expiries instead of waiting.
 */
public abstract class DedupIndexContract extends BackendContract {

    /**
     * How much later than its {@code expiresAt} an id may still be reported present: backends that store expiry
     * coarsely round it up (never down, which would let duplicates through). The local index keeps minutes.
     */
    protected Duration expiryGranularity() {
        return Duration.ofMinutes(1);
    }

    private DedupIndex dedup() {
        return backend.dedup();
    }

    private Instant in(Duration d) {
        return clock.instant().plus(d);
    }

    private boolean[] mark(String projectId, Instant expiresAt, String... ids) {
        return dedup().markIfAbsent(projectId, List.of(ids), expiresAt);
    }

    /** Whether an id is absent now (probing marks it if it was). */
    private boolean absent(String projectId, String id, Instant expiresAt) {
        return mark(projectId, expiresAt, id)[0];
    }

    private static List<Boolean> list(boolean[] values) {
        List<Boolean> out = new ArrayList<>(values.length);
        for (boolean v : values) {
            out.add(v);
        }
        return out;
    }

    @Nested
    @DisplayName("contains")
    class Contains {
        @Test
        void aMarkedIdIsContainedAndLookingDoesNotMarkAnything() {
            Instant expiry = in(Duration.ofHours(1));
            assertThat(dedup().contains("p1", "a")).isFalse();
            assertThat(dedup().contains("p1", "a")).as("a lookup never marks").isFalse();
            mark("p1", expiry, "a");
            assertThat(dedup().contains("p1", "a")).isTrue();
            assertThat(dedup().contains("p2", "a")).as("another project").isFalse();
            assertThat(absent("p1", "b", expiry)).as("b was never marked by a lookup").isTrue();
        }

        @Test
        void anUnmarkedOrExpiredIdIsNotContained() {
            mark("p1", in(Duration.ofHours(1)), "a", "b");
            dedup().unmark("p1", List.of("a"));
            assertThat(dedup().contains("p1", "a")).isFalse();
            clock.advance(Duration.ofHours(1).plus(expiryGranularity()).plusSeconds(1));
            assertThat(dedup().contains("p1", "b")).isFalse();
        }

        @Test
        void marksAreContainedAfterAReopen() {
            mark("p1", in(Duration.ofHours(1)), "a");
            reopenBackend();
            assertThat(dedup().contains("p1", "a")).isTrue();
        }
    }

    @Nested
    @DisplayName("markIfAbsent")
    class MarkIfAbsent {
        @Test
        void freshIdsAreAbsentAndMarkedIdsArePresent() {
            Instant expiry = in(Duration.ofHours(1));
            assertThat(list(mark("p1", expiry, "a", "b", "c"))).containsExactly(true, true, true);
            assertThat(list(mark("p1", expiry, "a", "b", "c"))).containsExactly(false, false, false);
        }

        @Test
        void answersArePerIdInTheOrderGiven() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "b", "d");
            assertThat(list(mark("p1", expiry, "a", "b", "c", "d", "e"))).containsExactly(true, false, true, false, true);
        }

        @Test
        void anIdRepeatedWithinOneCallIsPresentFromItsSecondOccurrence() {
            Instant expiry = in(Duration.ofHours(1));
            assertThat(list(mark("p1", expiry, "a", "b", "a", "a", "c", "b"))).containsExactly(true, true, false, false, true,
                    false);
            assertThat(list(mark("p1", expiry, "a", "b", "c"))).containsExactly(false, false, false);
        }

        @Test
        void anEmptyCallReturnsAnEmptyAnswer() {
            assertThat(dedup().markIfAbsent("p1", List.of(), in(Duration.ofHours(1)))).isEmpty();
        }

        @Test
        void manyIdsInOneCallAreEachMarkedOnce() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                ids.add("event-" + i);
            }
            Instant expiry = in(Duration.ofHours(1));
            assertThat(list(dedup().markIfAbsent("p1", ids, expiry))).containsOnly(true).hasSize(10_000);
            assertThat(list(dedup().markIfAbsent("p1", ids, expiry))).containsOnly(false).hasSize(10_000);
        }
    }

    @Nested
    @DisplayName("projects")
    class Projects {
        @Test
        void theSameIdInAnotherProjectIsIndependent() {
            Instant expiry = in(Duration.ofHours(1));
            assertThat(absent("p1", "e1", expiry)).isTrue();
            assertThat(absent("p2", "e1", expiry)).isTrue();
            assertThat(absent("p1", "e1", expiry)).isFalse();
            assertThat(absent("p2", "e1", expiry)).isFalse();
        }

        @Test
        void projectAndIdAreNotJustConcatenated() {
            Instant expiry = in(Duration.ofHours(1));
            assertThat(absent("ab", "c", expiry)).isTrue();
            assertThat(absent("a", "bc", expiry)).isTrue();
            assertThat(absent("abc", "", expiry)).isTrue();
        }

        @Test
        void unmarkingInOneProjectLeavesTheOtherMarked() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "e1");
            mark("p2", expiry, "e1");
            dedup().unmark("p1", List.of("e1"));
            assertThat(absent("p2", "e1", expiry)).isFalse();
            assertThat(absent("p1", "e1", expiry)).isTrue();
        }
    }

    @Nested
    @DisplayName("unmark")
    class Unmark {
        @Test
        void anUnmarkedIdIsAbsentAgain() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "e1", "e2");
            dedup().unmark("p1", List.of("e1", "e2"));
            assertThat(list(mark("p1", expiry, "e1", "e2"))).containsExactly(true, true);
            assertThat(list(mark("p1", expiry, "e1", "e2"))).containsExactly(false, false);
        }

        @Test
        void unmarkForgetsOnlyTheIdsGiven() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "a", "b", "c");
            dedup().unmark("p1", List.of("b"));
            assertThat(list(mark("p1", expiry, "a", "b", "c"))).containsExactly(false, true, false);
        }

        @Test
        void unmarkingUnknownIdsIsHarmless() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "a");
            dedup().unmark("p1", List.of("never-marked", "other"));
            dedup().unmark("p9", List.of("a"));
            dedup().unmark("p1", List.of());
            assertThat(list(mark("p1", expiry, "a", "never-marked"))).containsExactly(false, true);
        }
    }

    @Nested
    @DisplayName("expiry on the backend clock")
    class Expiry {
        @Test
        void aMarkedIdStaysPresentUntilItsExpiry() {
            Instant expiry = in(Duration.ofMinutes(10));
            mark("p1", expiry, "e1");
            clock.set(expiry.minusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(10)))).isFalse();
        }

        @Test
        void aMarkedIdIsForgottenOnceTheClockIsPastItsExpiry() {
            Instant expiry = in(Duration.ofMinutes(10));
            mark("p1", expiry, "e1");
            clock.set(expiry.plus(expiryGranularity()).plusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(10)))).isTrue();
        }

        @Test
        void anExpiryInTheMiddleOfAMinuteIsHonouredWithinTheGranularity() {
            Instant expiry = in(Duration.ofMinutes(10).plusSeconds(30).plusMillis(250));
            mark("p1", expiry, "e1");
            clock.set(expiry.minusMillis(1));
            assertThat(absent("p1", "e1", expiry)).isFalse();
            clock.set(expiry.plus(expiryGranularity()).plusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(10)))).isTrue();
        }

        @Test
        void eachIdExpiresOnItsOwnSchedule() {
            Instant soon = in(Duration.ofMinutes(5));
            Instant later = in(Duration.ofHours(1));
            mark("p1", soon, "short-lived");
            mark("p1", later, "long-lived");
            clock.set(soon.plus(expiryGranularity()).plusMillis(1));
            Instant probeExpiry = in(Duration.ofMinutes(10));
            assertThat(list(mark("p1", probeExpiry, "short-lived", "long-lived"))).containsExactly(true, false);
        }

        @Test
        void anExpiredIdMarkedAgainTakesItsNewExpiry() {
            Instant first = in(Duration.ofMinutes(5));
            mark("p1", first, "e1");
            clock.set(first.plus(expiryGranularity()).plusMillis(1));
            Instant second = in(Duration.ofMinutes(30));
            assertThat(absent("p1", "e1", second)).isTrue();
            clock.set(second.minusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(5)))).isFalse();
            clock.set(second.plus(expiryGranularity()).plusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(5)))).isTrue();
        }

        @Test
        void markingAPresentIdDoesNotExtendItsExpiry() {
            Instant expiry = in(Duration.ofMinutes(5));
            mark("p1", expiry, "e1");
            assertThat(absent("p1", "e1", in(Duration.ofHours(10)))).isFalse();
            clock.set(expiry.plus(expiryGranularity()).plusMillis(1));
            assertThat(absent("p1", "e1", in(Duration.ofMinutes(5)))).isTrue();
        }
    }

    @Nested
    @DisplayName("durability across a clean reopen")
    class Durability {
        @Test
        void markedIdsArePresentAfterAReopen() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "a", "b");
            mark("p2", expiry, "a");
            reopenBackend();
            assertThat(list(mark("p1", expiry, "a", "b", "c"))).containsExactly(false, false, true);
            assertThat(list(mark("p2", expiry, "a", "b"))).containsExactly(false, true);
        }

        @Test
        void unmarkedIdsStayAbsentAfterAReopen() {
            Instant expiry = in(Duration.ofHours(1));
            mark("p1", expiry, "a", "b");
            dedup().unmark("p1", List.of("a"));
            reopenBackend();
            assertThat(list(mark("p1", expiry, "a", "b"))).containsExactly(true, false);
        }

        @Test
        void expiriesStillApplyAfterAReopen() {
            Instant soon = in(Duration.ofMinutes(5));
            Instant later = in(Duration.ofHours(2));
            mark("p1", soon, "short-lived");
            mark("p1", later, "long-lived");
            reopenBackend();
            clock.set(soon.plus(expiryGranularity()).plusMillis(1));
            assertThat(list(mark("p1", in(Duration.ofMinutes(10)), "short-lived", "long-lived")))
                    .containsExactly(true, false);
        }
    }
}
