/**
 * The catalog and warehouse written once over JDBC, for every backend that keeps them in a SQL database (H2 in
 * the local profile, PostgreSQL in the cloud profile).
 *
 * <p>A backend supplies a {@link dev.tally.jdbc.SqlDatabase} (its connection source, its
 * {@link dev.tally.jdbc.SqlDialect} and its exception type) and its versioned migration scripts; it then opens
 * {@link dev.tally.jdbc.JdbcCatalog} and {@link dev.tally.jdbc.JdbcWarehouse} on it. Only what really differs
 * between databases lives in the dialect: upsert syntax and bulk writes.
 *
 * <p>This package sits beside the SPI, not inside it: it stores metric dimensions, violations and watermarks as
 * JSON text (through Jackson), which the SPI itself must not depend on.
 */
package dev.tally.jdbc;
