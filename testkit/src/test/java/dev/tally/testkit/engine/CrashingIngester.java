package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Child process of {@link KillNineTest}: ingests events {@code e-0 .. e-(total-1)} in batches into a local
 * Tally and prints {@code ACK n} after each acknowledged batch, until it is killed.
 */
public final class CrashingIngester {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int total = Integer.parseInt(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        Instant timestamp = Instant.parse(args[3]);
        PrintStream out = System.out;
        Tally tally = Tally.builder().dataDir(dir).build();
        int acked = 0;
        while (acked < total) {
            List<Event> batch = new ArrayList<>(batchSize);
            for (int i = acked; i < Math.min(total, acked + batchSize); i++) {
                batch.add(event(i, timestamp));
            }
            BatchResult result = tally.ingest(batch);
            if (result.accepted() != batch.size()) {
                throw new IllegalStateException("unexpected result " + result);
            }
            acked += batch.size();
            out.println("ACK " + acked);
            out.flush();
        }
        out.println("DONE");
        out.flush();
        // Wait to be killed, holding the engine open like a running server would.
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Event event(int i, Instant timestamp) {
        return Event.builder("tick").eventId("e-" + i).userId("u" + (i % 97)).timestamp(timestamp)
                .property("n", i).country(i % 2 == 0 ? "US" : "DE").build();
    }
}
