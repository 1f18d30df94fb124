package dev.tally.testkit.local;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.EventLogContract;

import java.nio.file.Path;

class LocalEventLogContractTest extends EventLogContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return LocalBackends.open(dir, clock);
    }
}
