package dev.tally.http.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code tally schema register|get|list}: the schema routes of a running server. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "Registers and reads event schemas.",
        subcommands = {SchemaCommand.Register.class, SchemaCommand.Get.class, SchemaCommand.ListSchemas.class})
final class SchemaCommand {

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Registers a JSON Schema for an event type (a new version must be backward compatible).")
    static final class Register implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;
        @Parameters(index = "0", paramLabel = "EVENT_TYPE")
        String eventType;
        @Parameters(index = "1", paramLabel = "SCHEMA_FILE", description = "JSON Schema file, or - for standard input")
        String file;

        @Override
        public Integer call() throws IOException {
            String schema = file.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file));
            return server.print(spec, "POST", "/v1/schemas/" + ServerClient.encode(eventType), schema);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints the latest (or one) version of a schema.")
    static final class Get implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;
        @Parameters(index = "0", paramLabel = "EVENT_TYPE")
        String eventType;
        @Option(names = "--version", description = "a version number (default: the latest)")
        Integer version;

        @Override
        public Integer call() {
            String path = "/v1/schemas/" + ServerClient.encode(eventType) + (version == null ? "" : "/versions/" + version);
            return server.print(spec, "GET", path, null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists event types with a schema.")
    static final class ListSchemas implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ServerClient server;

        @Override
        public Integer call() {
            return server.print(spec, "GET", "/v1/schemas", null);
        }
    }
}
