package dev.tally.http.cli;

import picocli.CommandLine.Command;

/**
 * {@code tally import FILE.jsonl|-}: backfill. Like {@code tally ingest}, but events go to
 * {@code POST /v1/events/import}: each needs its historical timestamp; they are archived and rolled up
 * (their days are queryable from the warehouse within seconds) and never pass through the real-time windows.
 * Same batching, progress, resumability and exit codes as {@code ingest}.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Backfills historical events (explicit timestamps) from a JSON Lines file, or - for standard "
                + "input: archived and rolled up, not windowed in real time.")
final class ImportCommand extends IngestCommand {
    @Override
    String path() {
        return "/v1/events/import";
    }
}
