package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.WarehouseContract;

import java.nio.file.Path;

/** The warehouse contract on PostgreSQL: one shared embedded server, a fresh schema per test. */
class CloudWarehouseContractTest extends WarehouseContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return PostgresTestServer.openBackend(dir, clock);
    }
}
