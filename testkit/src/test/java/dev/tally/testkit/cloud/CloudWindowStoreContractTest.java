package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.WindowStoreContract;

import java.nio.file.Path;

class CloudWindowStoreContractTest extends WindowStoreContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return RedisTestServer.openBackend(dir, clock);
    }
}
