package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.ResultCacheContract;

import java.nio.file.Path;

class CloudResultCacheContractTest extends ResultCacheContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return RedisTestServer.openBackend(dir, clock);
    }
}
