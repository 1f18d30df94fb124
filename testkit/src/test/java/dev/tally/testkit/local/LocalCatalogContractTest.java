package dev.tally.testkit.local;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.CatalogContract;

import java.nio.file.Path;

class LocalCatalogContractTest extends CatalogContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return LocalBackends.open(dir, clock);
    }
}
