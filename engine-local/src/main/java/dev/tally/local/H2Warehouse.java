package dev.tally.local;

import dev.tally.jdbc.JdbcWarehouse;

/** The warehouse tables on H2: the shared {@link JdbcWarehouse} over the local database. Thread-safe. */
final class H2Warehouse extends JdbcWarehouse {
    H2Warehouse(H2Database db) {
        super(db);
    }
}
