package dev.tally.http.cli;

import dev.tally.api.TallyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The {@code tally} command line: {@code serve}, {@code create-project} and {@code restore} work on a data
 * directory; {@code ingest}, {@code import}, {@code query}, {@code sql}, {@code rollup},
 * {@code schema register|get|list}, {@code metric define|list}, {@code project create}, {@code retention run},
 * {@code backup} and {@code replay} talk to a running server ({@code --url}, {@code --key}).
 * Exit codes: 0 done,
 * 2 usage error (unknown option, bad value, missing command), 1 failure (the engine or server could not
 * start, a setting is invalid, ...).
 */
@Command(name = "tally", mixinStandardHelpOptions = true, versionProvider = TallyCli.Version.class,
        description = "Tally, an embeddable event analytics engine, as a process.",
        subcommands = {ServeCommand.class, CreateProjectCommand.class, IngestCommand.class, ImportCommand.class, RollupCommand.class,
                QueryCommand.class, SqlCommand.class,
                SchemaCommand.class, MetricCommand.class, ProjectCommand.class, RetentionCommand.class,
                BackupCommand.class, RestoreCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class TallyCli implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(args);
        System.exit(code);
    }

    /** Runs the command line with the process's standard streams and returns the exit code. */
    public static int execute(String... args) {
        return commandLine(new TallyCli()).execute(args);
    }

    /** A configured command line for {@code command}: failures print one line and exit with 1. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof TallyException) {
                err.println("tally: " + e.getMessage());
            } else {
                err.println("tally: unexpected failure: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return FAILURE;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: try 'tally serve' or 'tally help'");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TallyCli.class.getPackage().getImplementationVersion();
            return new String[]{"tally " + (v == null ? "development build" : v)};
        }
    }
}
