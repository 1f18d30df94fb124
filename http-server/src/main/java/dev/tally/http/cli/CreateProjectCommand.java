package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.CreatedProject;
import dev.tally.api.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tally create-project <projectId>}: creates a project in a data directory that no server has open,
 * and prints its keys once, as {@code POST /v1/projects} would.
 */
@Command(name = "create-project", mixinStandardHelpOptions = true,
        description = "Creates a project offline (no server running on the data dir) and prints its API keys once.")
final class CreateProjectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROJECT_ID", description = "lower-case letters, digits, '-' and '_'")
    String projectId;



    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() {
        Map<String, String> settings = engine.settings(
                spec.commandLine().getParseResult().hasMatchedOption("--data-dir"));
        try (Tally tally = Tally.builder().backend(engine.profile()).settings(settings).build()) {
            CreatedProject created = tally.createProject(projectId);
            PrintWriter out = spec.commandLine().getOut();
            out.println("{\"projectId\":\"" + created.projectId() + "\",\"keys\":{"
                    + "\"ingest\":\"" + created.keys().get(Role.INGEST) + "\","
                    + "\"query\":\"" + created.keys().get(Role.QUERY) + "\","
                    + "\"admin\":\"" + created.keys().get(Role.ADMIN) + "\"}}");
            out.flush();
        }
        return TallyCli.OK;
    }
}
