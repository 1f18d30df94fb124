package dev.tally.testkit.local;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.WarehouseContract;

import java.nio.file.Path;

class LocalWarehouseContractTest extends WarehouseContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return LocalBackends.open(dir, clock);
    }
}
