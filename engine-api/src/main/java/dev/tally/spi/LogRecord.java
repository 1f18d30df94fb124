package dev.tally.spi;

/**
 * One encoded event in the log. {@code eventId} travels beside the opaque payload so a backend can key by it
 * (Kafka record key) or rebuild its dedup index from the log without decoding events.
 */
public record LogRecord(String projectId, String eventId, byte[] payload) {
}
