package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tally backup --to DIR}: a running server writes a consistent backup into DIR on its own machine
 * ({@code POST /v1/admin/backup}, server admin key); a relative DIR is taken from the current directory.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Has a running server write a consistent backup while ingest continues (--key is the server admin key).")
final class BackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ServerClient server;
    @Option(names = "--to", required = true, paramLabel = "DIR",
            description = "an empty or new directory outside the data directory, on the server's machine")
    Path to;

    @Override
    public Integer call() {
        String body = ServerClient.JSON.writeValueAsString(Map.of("to", to.toAbsolutePath().normalize().toString()));
        return server.print(spec, "POST", "/v1/admin/backup", body);
    }
}
