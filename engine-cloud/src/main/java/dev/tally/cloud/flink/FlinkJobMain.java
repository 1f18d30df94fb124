package dev.tally.cloud.flink;

import dev.tally.api.ConfigurationException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import tools.jackson.core.JacksonException;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The entry point of the job jar ({@code engine-cloud/target/tally-flink-job.jar}) for a Flink cluster:
 *
 * <pre>
 * flink run -d engine-cloud/target/tally-flink-job.jar --settings tally.yaml [--set tally.key=value ...]
 * </pre>
 *
 * {@code --settings} names the cloud engines' settings file (YAML, nested or flat {@code tally.*} keys, or a
 * {@code .properties} file); each {@code --set} adds or overrides one key. The job runs in the environment Flink
 * gives it (the cluster's, under {@code flink run}), with {@code tally.flink.parallelism} if set. The engines then run
 * with {@code tally.aggregator.runtime=external}.
 */
public final class FlinkJobMain {
    private FlinkJobMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> settings = settings(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        parallelism(settings, env);
        AggregationFlinkJob.define(env, settings);
        env.execute(AggregationFlinkJob.NAME);
    }

    /** As {@link #main} on {@code env}, without waiting for the job: for embedding and tests. */
    public static JobClient start(String[] args, StreamExecutionEnvironment env) throws Exception {
        Map<String, String> settings = settings(args);
        parallelism(settings, env);
        return AggregationFlinkJob.start(env, settings);
    }

    private static void parallelism(Map<String, String> settings, StreamExecutionEnvironment env) {
        String p = settings.get(FlinkSettings.PARALLELISM);
        if (p != null) {
            try {
                env.setParallelism(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigurationException("setting '" + FlinkSettings.PARALLELISM + "' must be an integer, got '"
                        + p + "'");
            }
        }
    }

    /** The settings the arguments give: the file's, then each {@code --set}. */
    static Map<String, String> settings(String[] args) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(usage("missing value after " + arg));
            }
            String value = args[++i];
            switch (arg) {
                case "--settings" -> settings.putAll(load(Path.of(value)));
                case "--set" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException(usage("--set takes key=value, got '" + value + "'"));
                    }
                    overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
                }
                default -> throw new IllegalArgumentException(usage("unknown argument " + arg));
            }
        }
        settings.putAll(overrides);
        return settings;
    }

    private static String usage(String problem) {
        return problem + "; usage: --settings tally.yaml [--set tally.key=value ...]";
    }

    private static Map<String, String> load(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                Object root = YAMLMapper.builder().build().readValue(in, Object.class);
                if (root instanceof Map<?, ?> map) {
                    flattenInto(out, "", map);
                } else if (root != null) {
                    throw new ConfigurationException("settings file " + file + " must be a YAML mapping");
                }
            } else {
                Properties p = new Properties();
                p.load(in);
                p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
            }
        } catch (IOException | JacksonException e) {
            throw new ConfigurationException("cannot read settings file " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void flattenInto(Map<String, String> out, String prefix, Map<?, ?> map) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> nested) {
                flattenInto(out, key + ".", nested);
            } else if (v instanceof List<?> list) {
                out.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
            } else if (v != null) {
                out.put(key, String.valueOf(v));
            }
        });
    }
}
