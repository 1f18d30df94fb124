package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tally replay --from TIME}: {@code POST /v1/admin/replay} with the server admin key as {@code --key}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Has a running server rebuild its real-time windows from the event log (--key is the server admin key).")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ServerClient server;
    @Option(names = "--from", required = true, paramLabel = "TIME",
            description = "ISO-8601 instant, e.g. 2024-01-15T08:00:00Z: windows from its hour on are rebuilt")
    Instant from;

    @Override
    public Integer call() {
        String body = ServerClient.JSON.writeValueAsString(Map.of("from", from.toString()));
        return server.print(spec, "POST", "/v1/admin/replay", body);
    }
}
