package dev.tally.cloud.flink;

import dev.tally.spi.Aggregate;
import dev.tally.spi.WindowKey;

/**
 * A window's whole value as of the latest event folded into it, on its way to {@link WindowStoreSink}. The
 * aggregate is the window operator's live accumulator: the sink, chained to the window operator, may only read it
 * (between two records, on the task's thread).
 */
public record WindowValue(WindowKey key, Aggregate aggregate) {
}
