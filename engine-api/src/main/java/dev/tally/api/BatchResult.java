package dev.tally.api;

import java.util.List;

/** Per-event results of a batch, in submission order. */
public record BatchResult(List<IngestResult> results) {
    public BatchResult {
        results = List.copyOf(results);
    }

    public long accepted() {
        return count(IngestResult.Status.ACCEPTED);
    }

    public long duplicates() {
        return count(IngestResult.Status.DUPLICATE);
    }

    public long rejectedCount() {
        return count(IngestResult.Status.REJECTED);
    }

    private long count(IngestResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }
}
