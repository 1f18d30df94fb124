package dev.tally.http.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every command that opens an engine shares ({@code --data-dir}, {@code --profile},
 * {@code --config}), and how they layer with {@code -Dtally.*} properties: an explicit {@code --data-dir}
 * wins, otherwise the config's {@code tally.data-dir}, otherwise the default.
 */
final class EngineOptions {
    @Option(names = "--data-dir", defaultValue = "./tally-data",
            description = "directory of the local profile's data (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--profile", defaultValue = "local", description = "backend profile: local or cloud (default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--config", description = "properties file of tally.* settings (engine and HTTP)")
    Path config;

    /** Settings from the config file and system properties, with the data directory resolved. */
    Map<String, String> settings(boolean dataDirGiven) {
        Map<String, String> settings = new LinkedHashMap<>(ConfigFile.load(config));
        settings.putAll(ConfigFile.systemProperties());
        if (dataDirGiven || !settings.containsKey("tally.data-dir")) {
            settings.put("tally.data-dir", dataDir.toString());
        }
        return settings;
    }
}
