package dev.tally.cloud;

import dev.tally.jdbc.JdbcCatalog;

/**
 * The catalog on PostgreSQL: the shared {@link JdbcCatalog} over a {@link PostgresDatabase}. Engines sharing the
 * database see each other's writes at once; a uniqueness race between them is a
 * {@link dev.tally.api.ConflictException}. Thread-safe.
 */
public final class PostgresCatalog extends JdbcCatalog {
    public PostgresCatalog(PostgresDatabase db) {
        super(db);
    }
}
