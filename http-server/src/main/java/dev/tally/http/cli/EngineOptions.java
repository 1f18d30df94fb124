package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.http.ServerSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options every command that opens an engine shares ({@code --data-dir}, {@code --profile},
 * {@code --config}), and how settings layer, weakest first: the config file, {@code TALLY_*} environment
 * variables, {@code -Dtally.*} system properties, then explicit flags. An explicit {@code --data-dir} wins,
 * otherwise the settings' {@code tally.data-dir}, otherwise the default; likewise {@code --profile} over
 * {@code tally.profile} over {@code local}. Unknown keys in the file or system properties are refused.
 */
final class EngineOptions {
    static final String PROFILE = "tally.profile";

    @Option(names = "--data-dir", defaultValue = "./tally-data",
            description = "directory of the engine's local data (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--profile", description = "backend profile: local or cloud (default: tally.profile, else local)")
    String profile;

    @Option(names = "--config", description = "settings file: tally.yaml (nested or flat tally.* keys) or a "
            + "properties file")
    Path config;

    /** The environment (a field so tests can set it). */
    Map<String, String> environment = System.getenv();

    private String resolvedProfile;

    /** Settings from every source, layered and checked, with the data directory resolved. */
    Map<String, String> settings(boolean dataDirGiven) {
        Map<String, String> file = ConfigFile.load(config);
        Map<String, String> system = ConfigFile.systemProperties();
        resolvedProfile = profile != null ? profile
                : system.getOrDefault(PROFILE, environment.getOrDefault(ServerSettings.environmentName(PROFILE),
                file.getOrDefault(PROFILE, "local")));
        Set<String> known = new TreeSet<>(Tally.settingKeys(resolvedProfile));
        known.addAll(ServerSettings.KEYS);
        known.add(PROFILE);
        ConfigFile.checkKnown(file, known, "config file " + config);
        ConfigFile.checkKnown(system, known, "system properties");

        Map<String, String> settings = new LinkedHashMap<>(file);
        settings.putAll(ConfigFile.environment(environment, known));
        settings.putAll(system);
        settings.remove(PROFILE);
        if (dataDirGiven || !settings.containsKey("tally.data-dir")) {
            settings.put("tally.data-dir", dataDir.toString());
        }
        return settings;
    }

    /** The backend profile; valid after {@link #settings}. */
    String profile() {
        return resolvedProfile != null ? resolvedProfile : profile != null ? profile : "local";
    }
}
