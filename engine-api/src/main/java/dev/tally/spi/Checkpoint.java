package dev.tally.spi;

import java.util.Map;

/**
 * What a consumer stores together with its window values, atomically: its log position and the event-time
 * watermark it reached per project.
 */
public record Checkpoint(String consumer, LogPosition position, Map<String, Long> watermarks) {
    public Checkpoint {
        watermarks = Map.copyOf(watermarks);
    }
}
