package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code tally project create ID}: {@code POST /v1/projects} with the server admin key as {@code --key}. */
@Command(name = "project", mixinStandardHelpOptions = true, description = "Creates projects on a running server.",
        subcommands = {ProjectCommand.Create.class})
final class ProjectCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a project and prints its keys once (--key is the server admin key).")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;
        @Parameters(index = "0", paramLabel = "PROJECT_ID")
        String projectId;

        @Override
        public Integer call() {
            String body = ServerClient.JSON.writeValueAsString(java.util.Map.of("projectId", projectId));
            return server.print(spec, "POST", "/v1/projects", body);
        }
    }
}
