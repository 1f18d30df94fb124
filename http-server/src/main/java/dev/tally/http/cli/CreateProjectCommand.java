package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.CreatedProject;
import dev.tally.api.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    @Option(names = "--data-dir", defaultValue = "./tally-data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--profile", defaultValue = "local", description = "backend profile (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--config", description = "properties file of tally.* settings")
    Path config;

    @Override
    public Integer call() {
        Map<String, String> settings = new LinkedHashMap<>(ConfigFile.load(config));
        settings.putAll(ConfigFile.systemProperties());
        if (spec.commandLine().getParseResult().hasMatchedOption("--data-dir") || !settings.containsKey("tally.data-dir")) {
            settings.put("tally.data-dir", dataDir.toString());
        }
        try (Tally tally = Tally.builder().backend(profile).settings(settings).build()) {
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
