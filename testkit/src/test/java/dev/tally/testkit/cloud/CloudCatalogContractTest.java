package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import dev.tally.testkit.contract.CatalogContract;

import java.nio.file.Path;

/** The catalog contract on PostgreSQL: one shared embedded server, a fresh schema per test. */
class CloudCatalogContractTest extends CatalogContract {
    @Override
    protected Backend openBackend(Path dir, TestClock clock) {
        return PostgresTestServer.openBackend(dir, clock);
    }
}
