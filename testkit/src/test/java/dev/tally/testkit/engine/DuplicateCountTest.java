package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.Event;
import dev.tally.api.EventFate;
import dev.tally.api.IngestResult;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Resent events are counted in memory and written in the background; the counts are exact and survive a restart. */
class DuplicateCountTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private Tally open() {
        return Tally.builder().dataDir(dir).clock(TestClock.at(T0)).build();
    }

    @Test
    void aRetryStormIsCountedExactly_andTheCountsSurviveARestart() {
        Event e = Event.builder("page_view").eventId("retried").userId("u1").timestamp(T0).build();
        Event other = Event.builder("page_view").eventId("retried-twice").userId("u2").timestamp(T0).build();
        try (Tally tally = open()) {
            tally.ingest(e);
            tally.ingest(other);
            for (int i = 0; i < 5_000; i++) {
                assertThat(tally.ingest(e).status()).isEqualTo(IngestResult.Status.DUPLICATE);
            }
            tally.ingest(other);
            tally.ingest(other);

            assertThat(tally.event("retried")).isInstanceOfSatisfying(EventFate.Duplicate.class,
                    d -> assertThat(d.copies()).isEqualTo(5_000));
        }
        try (Tally reopened = open()) {
            assertThat(reopened.event("retried")).isInstanceOfSatisfying(EventFate.Duplicate.class,
                    d -> assertThat(d.copies()).isEqualTo(5_000));
            assertThat(reopened.event("retried-twice")).isInstanceOfSatisfying(EventFate.Duplicate.class,
                    d -> assertThat(d.copies()).isEqualTo(2));
        }
    }
}
