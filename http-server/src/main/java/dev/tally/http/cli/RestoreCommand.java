package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.BackupSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tally restore --from DIR [--data-dir X] [--force]}: restores a backup into a data directory that no
 * server has open (offline, through the profile's backend); refuses one that holds data unless {@code --force}.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restores a backup into a data directory no server has open; 'tally serve' then resumes from it.")
final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    EngineOptions engine;
    @Option(names = "--from", required = true, paramLabel = "DIR", description = "a directory written by 'tally backup'")
    Path from;
    @Option(names = "--force", description = "replace the data the directory already holds")
    boolean force;

    @Override
    public Integer call() {
        Map<String, String> settings = engine.settings(spec.commandLine().getParseResult().hasMatchedOption("--data-dir"));
        BackupSummary restored = Tally.builder().backend(engine.profile()).settings(settings)
                .restore(from.toAbsolutePath().normalize(), force);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("restoredFrom", restored.directory().toString());
        out.put("dataDir", settings.get("tally.data-dir"));
        out.put("createdAt", restored.createdAt().toString());
        out.put("logEnd", restored.logEnd());
        out.put("archivedFiles", restored.archivedFiles());
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(ServerClient.pretty(ServerClient.JSON.valueToTree(out)));
        stdout.flush();
        return TallyCli.OK;
    }
}
