package dev.tally.api;

import java.time.Instant;

/** One registered version of an event type's JSON Schema (normalized form). */
public record SchemaVersion(String eventType, int version, String schema, Instant createdAt) {
}
