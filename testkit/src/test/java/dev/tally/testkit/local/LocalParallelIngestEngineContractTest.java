package dev.tally.testkit.local;

import dev.tally.Tally;
import dev.tally.testkit.contract.EngineContract;

import java.nio.file.Path;

/** The golden scenario with large batches checked and encoded on two threads. */
class LocalParallelIngestEngineContractTest extends EngineContract {
    @Override
    protected Tally.Builder configure(Tally.Builder builder, Path dir) {
        return builder.backend("local").dataDir(dir).setting("tally.ingest.parallel", "true");
    }
}
