package dev.tally.cloud.flink;

import dev.tally.spi.StreamRuntime;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the Flink aggregation job for a cloud engine ({@code tally.flink.mode} embedded or remote), as one of the
 * engine's background jobs: it steps only while the engine leads, so of several engines sharing the stores exactly
 * one runs the Flink job, and an engine with {@code tally.cloud.role=ingest} never does.
 *
 * <ul>
 *   <li>Leading ({@link #step()}): submits the job if none runs (embedded: to a MiniCluster started for it in this
 *       JVM; remote: to the JobManager's REST endpoint), then checks about once a second that it still runs, and
 *       submits it again if Flink gave it up (restarts within Flink, from its checkpoints, are Flink's own).</li>
 *   <li>Losing the lead ({@link #follow()}) or closing ({@link #stop()}): stops the job, with a savepoint when
 *       {@code tally.flink.checkpoint-dir} is set, so that the next leader on this machine resumes from it.</li>
 * </ul>
 *
 * Runs on the engine's runtime thread only; not thread-safe.
 */
public final class FlinkJobRunner implements StreamRuntime.StreamJob {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkJobRunner.class);
    /** Beside the checkpoints: the path of the savepoint the last stop took (local checkpoint dirs only). */
    static final String LATEST_SAVEPOINT = "tally-latest-savepoint";
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final FlinkSettings flink;
    private final Map<String, String> settings;
    private JobClient client;
    private long checkedAt;

    /**
     * @param settings the engine's {@code tally.*} settings, handed to the job as they are
     * @throws dev.tally.api.ConfigurationException when the job's own settings are wrong (checked now)
     */
    public FlinkJobRunner(FlinkSettings flink, Map<String, String> settings) {
        this.flink = flink;
        this.settings = Map.copyOf(settings);
        new JobSettings(settings); // fails at open, naming the key, rather than at the first submission
    }

    @Override
    public String name() {
        return "tally-flink-job";
    }

    /** The running job's client, or {@code null} while none runs (tests, benchmarks). */
    public JobClient client() {
        return client;
    }

    @Override
    public boolean step() throws Exception {
        if (client == null) {
            client = submit();
            checkedAt = System.nanoTime();
            return true;
        }
        if (System.nanoTime() - checkedAt > CHECK_NANOS) {
            checkedAt = System.nanoTime();
            JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                LOG.warn("Flink aggregation job {} is {}; submitting it again", client.getJobID(), status);
                client = null;
                return false;
            }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        return false;
    }

    private JobClient submit() throws Exception {
        Configuration conf = Configuration.fromMap(flink.flinkConfig());
        flink.checkpointDir().ifPresent(dir -> {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri(dir));
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, uri(dir) + "/savepoints");
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        });
        Optional<String> restore = flink.restoreFrom().or(this::latestSavepoint);
        restore.ifPresent(path -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        StreamExecutionEnvironment env;
        if (flink.mode() == FlinkSettings.Mode.REMOTE) {
            String[] jars = flink.jobJar().map(j -> new String[] {j.toString()}).orElse(new String[0]);
            env = StreamExecutionEnvironment.createRemoteEnvironment(flink.jobManagerHost(), flink.jobManagerPort(),
                    conf, jars);
        } else {
            if (!conf.contains(RestOptions.BIND_PORT) && !conf.contains(RestOptions.PORT)) {
                conf.set(RestOptions.BIND_PORT, "0"); // several engines on one machine
            }
            env = StreamExecutionEnvironment.createLocalEnvironment(flink.parallelism(), conf);
        }
        env.setParallelism(flink.parallelism());
        JobClient submitted = AggregationFlinkJob.start(env, settings);
        LOG.info("Flink aggregation job {} running ({}{})", submitted.getJobID(),
                flink.mode() == FlinkSettings.Mode.REMOTE
                        ? "remote, JobManager " + flink.jobManagerHost() + ":" + flink.jobManagerPort()
                        : "embedded MiniCluster", restore.map(r -> ", restored from " + r).orElse(""));
        return submitted;
    }

    @Override
    public void recover() {
        // a failed submission or status check: the next step looks again (an unreachable cluster is retried)
    }

    @Override
    public void follow() {
        if (client != null) {
            LOG.info("this engine no longer leads: stopping Flink aggregation job {}", client.getJobID());
            stopJob();
        }
    }

    @Override
    public void stop() {
        if (client != null) {
            stopJob();
        }
    }

    /** Stops the job: with a savepoint where there is a checkpoint dir (cancelled if that fails), else cancelled. */
    private void stopJob() {
        JobClient job = client;
        client = null;
        if (flink.checkpointDir().isPresent()) {
            try {
                String savepoint = job.stopWithSavepoint(false, uri(flink.checkpointDir().get()) + "/savepoints",
                        SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
                LOG.info("Flink aggregation job {} stopped with savepoint {}", job.getJobID(), savepoint);
                rememberSavepoint(savepoint);
                return;
            } catch (Exception e) {
                LOG.warn("could not stop Flink job {} with a savepoint, cancelling it: {}", job.getJobID(),
                        e.toString());
            }
        }
        try {
            job.cancel().get(1, TimeUnit.MINUTES);
            LOG.info("Flink aggregation job {} cancelled", job.getJobID());
        } catch (Exception e) {
            LOG.warn("could not cancel Flink job {}: {}", job.getJobID(), e.toString());
        }
    }

    /** A local path as a file URI; URIs as they are. */
    private static String uri(String dir) {
        return dir.contains("://") ? dir : Path.of(dir).toAbsolutePath().toUri().toString().replaceAll("/$", "");
    }

    private Optional<Path> localCheckpointDir() {
        return flink.checkpointDir().flatMap(dir -> {
            String u = uri(dir);
            return u.startsWith("file:") ? Optional.of(Path.of(URI.create(u))) : Optional.empty();
        });
    }

    private void rememberSavepoint(String savepoint) {
        localCheckpointDir().ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(LATEST_SAVEPOINT), savepoint);
            } catch (IOException e) {
                LOG.warn("could not note savepoint {} in {}: {}", savepoint, dir, e.toString());
            }
        });
    }

    private Optional<String> latestSavepoint() {
        return localCheckpointDir().map(dir -> dir.resolve(LATEST_SAVEPOINT)).filter(Files::isRegularFile)
                .flatMap(f -> {
                    try {
                        String path = Files.readString(f).trim();
                        return path.isEmpty() ? Optional.empty() : Optional.of(path);
                    } catch (IOException e) {
                        LOG.warn("cannot read {}: {}", f, e.toString());
                        return Optional.empty();
                    }
                });
    }
}
