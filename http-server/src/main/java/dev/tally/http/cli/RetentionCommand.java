package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code tally retention run}: {@code POST /v1/admin/retention} with the server admin key as {@code --key}. */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = "Retention of a running server (it also runs hourly on its own).",
        subcommands = {RetentionCommand.Run.class})
final class RetentionCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs retention now and prints what it moved and deleted (--key is the server admin key).")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;

        @Override
        public Integer call() {
            return server.print(spec, "POST", "/v1/admin/retention", "{}");
        }
    }
}
