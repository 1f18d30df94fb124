package dev.tally.testkit.local;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.DedupIndexContract;

import java.nio.file.Path;

class LocalDedupIndexContractTest extends DedupIndexContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return LocalBackends.open(dir, clock);
    }
}
