package dev.tally.engine.codec;

import dev.tally.api.Event;

import java.time.Instant;

/** An event as it sits in the log: the event, its project and when it was acknowledged. */
public record StoredEvent(String projectId, Event event, Instant ingestedAt) {
}
