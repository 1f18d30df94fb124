package dev.tally.cloud;

import dev.tally.jdbc.JdbcWarehouse;

/**
 * The warehouse on PostgreSQL: the shared {@link JdbcWarehouse} over a {@link PostgresDatabase}, with bulk
 * writes ({@code events_metadata}, large aggregate upserts) streamed through {@code COPY}. Thread-safe.
 */
public final class PostgresWarehouse extends JdbcWarehouse {
    public PostgresWarehouse(PostgresDatabase db) {
        super(db);
    }
}
