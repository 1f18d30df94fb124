package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.time.LocalDate;
import java.util.concurrent.Callable;

/**
 * {@code tally rollup --day 2024-01-15}: rolls one UTC day of the key's project up from its archive now
 * ({@code POST /v1/rollups}), replacing the day's hourly and daily rows. Needs an admin key.
 */
@Command(name = "rollup", mixinStandardHelpOptions = true,
        description = "Rolls one UTC day of the project up from its archived raw events, now (idempotent).")
final class RollupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ServerClient server;
    @Option(names = "--day", required = true, paramLabel = "YYYY-MM-DD", description = "the UTC day to roll up")
    LocalDate day;

    @Override
    public Integer call() {
        ObjectNode body = ServerClient.JSON.createObjectNode();
        body.put("day", day.toString());
        return server.print(spec, "POST", "/v1/rollups", ServerClient.JSON.writeValueAsString(body));
    }
}
