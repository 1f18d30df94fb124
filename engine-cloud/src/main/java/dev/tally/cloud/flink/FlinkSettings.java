package dev.tally.cloud.flink;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a cloud engine runs the Flink aggregation job ({@code tally.flink.*}); read and checked when the backend opens,
 * naming the key of a wrong value. Uses no Flink class, so an engine with {@code tally.flink.mode=none} needs no Flink
 * on its classpath.
 *
 * <ul>
 *   <li>{@code tally.flink.mode}: {@code none} (the engine's in-process aggregator; the default of the library),
 *       {@code embedded} (the leader runs the job on a MiniCluster in its own JVM; what {@code tally serve --profile
 *       cloud} uses unless told otherwise) or {@code remote} (the leader submits the job to the JobManager in
 *       {@code tally.flink.jobmanager})</li>
 *   <li>{@code tally.flink.parallelism} (the number of cores): the job's parallelism (slots of the MiniCluster)</li>
 *   <li>{@code tally.flink.checkpoint-dir}: where checkpoints (and, on stop, a savepoint) go; a URI Flink knows
 *       ({@code file:///…}, {@code s3://…}) or a local path. Without it checkpoints live in the JobManager's memory
 *       and a restarted engine rebuilds the windows from the log</li>
 *   <li>{@code tally.flink.restore-from}: a savepoint or retained checkpoint to start from; without it, the
 *       savepoint the previous leader left in a local {@code checkpoint-dir} on stop, if any</li>
 *   <li>{@code tally.flink.jobmanager}: {@code host:port} of the JobManager's REST endpoint (remote mode)</li>
 *   <li>{@code tally.flink.job-jar}: the job jar shipped with a remote submission ({@code tally-flink-job.jar});
 *       without it the cluster must have Tally's classes on its own classpath</li>
 *   <li>{@code tally.flink.config.*}: Flink configuration passed through ({@code tally.flink.config.taskmanager
 *       .memory.process.size=2g})</li>
 * </ul>
 *
 * @param jobManagerHost host of the JobManager (remote mode), else {@code null}
 * @param jobManagerPort its REST port (remote mode), else 0
 */
public record FlinkSettings(Mode mode, int parallelism, Optional<String> checkpointDir, Optional<String> restoreFrom,
                            String jobManagerHost, int jobManagerPort, Optional<Path> jobJar,
                            Map<String, String> flinkConfig) {
    public static final String MODE = "tally.flink.mode";
    public static final String PARALLELISM = "tally.flink.parallelism";
    public static final String CHECKPOINT_DIR = "tally.flink.checkpoint-dir";
    public static final String RESTORE_FROM = "tally.flink.restore-from";
    public static final String JOBMANAGER = "tally.flink.jobmanager";
    public static final String JOB_JAR = "tally.flink.job-jar";
    public static final String CONFIG_PREFIX = "tally.flink.config.";
    private static final String RUNTIME = "tally.aggregator.runtime";

    /** Every {@code tally.flink.*} key, the job's own included ({@code .}-ended: a prefix). */
    public static final List<String> KEYS = List.of(MODE, PARALLELISM, CHECKPOINT_DIR, RESTORE_FROM, JOBMANAGER, JOB_JAR,
            CONFIG_PREFIX, JobSettings.CHECKPOINT_INTERVAL, JobSettings.METRIC_RELOAD_INTERVAL, JobSettings.IDLE_TIMEOUT,
            JobSettings.POSTGRES_POOL_SIZE);

    /** Where the aggregation runs. */
    public enum Mode {
        /** The engine's own in-process aggregator (no Flink). */
        NONE,
        /** A MiniCluster inside the leading engine's JVM. */
        EMBEDDED,
        /** A Flink cluster the leading engine submits to. */
        REMOTE
    }

    /**
     * Reads and checks the settings.
     *
     * @throws ConfigurationException naming the key of a missing or wrong value, or both keys when
     *                                {@code tally.aggregator.runtime=in-process} contradicts a Flink mode
     */
    public static FlinkSettings from(BackendConfig config) {
        String rawMode = config.string(MODE).orElse("none").toLowerCase(Locale.ROOT);
        Mode mode = switch (rawMode) {
            case "none" -> Mode.NONE;
            case "embedded" -> Mode.EMBEDDED;
            case "remote" -> Mode.REMOTE;
            default -> throw new ConfigurationException("setting '" + MODE + "' must be embedded, remote or none, got '"
                    + config.get(MODE) + "'");
        };
        long parallelism = config.longValue(PARALLELISM, Runtime.getRuntime().availableProcessors());
        if (parallelism < 1 || parallelism > 1024) {
            throw new ConfigurationException("setting '" + PARALLELISM + "' must be between 1 and 1024, got "
                    + parallelism);
        }
        String host = null;
        int port = 0;
        Optional<String> jm = config.string(JOBMANAGER);
        if (mode == Mode.REMOTE && jm.isEmpty()) {
            throw new ConfigurationException("setting '" + JOBMANAGER + "' is required with " + MODE
                    + "=remote (host:port of the JobManager's REST endpoint)");
        }
        if (jm.isPresent()) {
            String value = jm.get();
            int colon = value.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                host = value.substring(0, colon);
                port = Integer.parseInt(value.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigurationException("setting '" + JOBMANAGER + "' must be host:port, got '" + value + "'");
            }
        }
        Optional<Path> jar = config.string(JOB_JAR).map(j -> config.path(JOB_JAR));
        if (jar.isPresent() && !Files.isRegularFile(jar.get())) {
            throw new ConfigurationException("setting '" + JOB_JAR + "' names no file: " + jar.get());
        }
        if (mode != Mode.NONE && config.string(RUNTIME).filter("in-process"::equals).isPresent()) {
            throw new ConfigurationException("setting '" + RUNTIME + "' is in-process but '" + MODE + "' is "
                    + rawMode + ": the Flink job aggregates, so leave '" + RUNTIME + "' out");
        }
        return new FlinkSettings(mode, (int) parallelism, config.string(CHECKPOINT_DIR), config.string(RESTORE_FROM),
                host, port, jar, Map.copyOf(config.withPrefix(CONFIG_PREFIX)));
    }
}
