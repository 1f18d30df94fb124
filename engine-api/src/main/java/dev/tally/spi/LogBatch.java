package dev.tally.spi;

import java.util.List;

/** Records read in one poll, and the position to commit once they are processed. */
public record LogBatch(List<LogRecord> records, LogPosition position) {
    public boolean isEmpty() {
        return records.isEmpty();
    }
}
