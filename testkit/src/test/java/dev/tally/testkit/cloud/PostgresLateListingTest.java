package dev.tally.testkit.cloud;

import dev.tally.api.RejectedEvent;
import dev.tally.api.Violation;
import dev.tally.cloud.AggregationStores;
import dev.tally.spi.BackendConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A stream processor that re-reads records after a restore lists each late event once. */
@CloudStackTest
class PostgresLateListingTest {
    private static final Instant AT = Instant.parse("2024-03-04T10:00:00Z");

    @Test
    void recordLateOnce_leavesOutEventsAlreadyListedAsLate(EmbeddedCloudStack stack, @TempDir Path dir) {
        String ns = EmbeddedCloudStack.freshNamespace();
        try (AggregationStores stores = AggregationStores.open(BackendConfig.of(stack.settingsFor(ns, dir),
                InstantSource.system()))) {
            stores.warehouse().recordRejections(List.of(rejected("invalid-1", RejectedEvent.Reason.INVALID)));

            stores.recordLateOnce(List.of(late("e1"), late("e2"), late("e1")));
            stores.recordLateOnce(List.of(late("e2"), late("e3"), late("invalid-1")));

            assertThat(stores.warehouse().rejectedEvents("p", 100)).extracting(RejectedEvent::eventId)
                    .containsExactlyInAnyOrder("invalid-1", "e1", "e2", "e3", "invalid-1");
        }
    }

    private static RejectedEvent late(String eventId) {
        return rejected(eventId, RejectedEvent.Reason.LATE);
    }

    private static RejectedEvent rejected(String eventId, RejectedEvent.Reason reason) {
        return new RejectedEvent("p", eventId, "view", reason, List.of(new Violation("timestamp", "late", "late")), AT,
                null);
    }
}
