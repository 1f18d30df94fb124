package dev.tally.engine.codec;

import dev.tally.api.Event;

import java.time.Instant;

/**
 * An event as it sits in the log: the event, its project, when it was acknowledged, and whether it was
 * imported as backfill (archived and rolled up, but not windowed in real time).
 */
public record StoredEvent(String projectId, Event event, Instant ingestedAt, boolean imported) {
}
