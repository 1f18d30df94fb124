package dev.tally.local;

import dev.tally.jdbc.JdbcCatalog;

/** The catalog on H2: the shared {@link JdbcCatalog} over the local database. Thread-safe. */
final class H2Catalog extends JdbcCatalog {
    H2Catalog(H2Database db) {
        super(db);
    }
}
