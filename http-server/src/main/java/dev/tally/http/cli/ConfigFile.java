package dev.tally.http.cli;

import dev.tally.api.ConfigurationException;
import dev.tally.http.ServerSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where {@code tally.*} settings come from besides command-line flags, and how they are checked.
 *
 * <ul>
 *   <li>A {@code --config} file: YAML ({@code .yaml}/{@code .yml}), nested ({@code tally: kafka: bootstrap-servers: …})
 *       or flat ({@code tally.kafka.bootstrap-servers: …}); or Java properties ({@code key=value}, any other
 *       extension).</li>
 *   <li>Environment variables: {@code TALLY_KAFKA_BOOTSTRAP_SERVERS} sets {@code tally.kafka.bootstrap-servers}
 *       (the key upper-cased, {@code .} and {@code -} as {@code _}); only known keys are mapped, so other
 *       {@code TALLY_*} variables (e.g. the client's {@code TALLY_URL}) are left alone. Under a pass-through prefix
 *       ({@code tally.kafka.producer.}) the rest of the name becomes the property, lower-cased with {@code _} as
 *       {@code .}: {@code TALLY_KAFKA_PRODUCER_LINGER_MS} is {@code tally.kafka.producer.linger.ms}.</li>
 *   <li>{@code -Dtally.*} Java system properties.</li>
 * </ul>
 *
 * Keys from the file and system properties must be known ({@link #checkKnown}), so that a typo fails at start
 * with the nearest known key instead of being silently ignored.
 */
final class ConfigFile {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private ConfigFile() {
    }

    static Map<String, String> load(Path file) {
        if (file == null) {
            return Map.of();
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, String> raw = name.endsWith(".yaml") || name.endsWith(".yml") ? loadYaml(file) : loadProperties(file);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(raw).entrySet()) {
            if (!e.getKey().startsWith("tally.")) {
                throw new ConfigurationException("config file " + file + ": unknown key '" + e.getKey()
                        + "' (settings are tally.* keys)");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static Map<String, String> loadProperties(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read config file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("config file " + file + " is not a properties file: " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            m.put(key, unquote(p.getProperty(key).trim()));
        }
        return m;
    }

    private static Map<String, String> loadYaml(Path file) {
        JsonNode root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read config file " + file + ": " + e.getMessage(), e);
        } catch (JacksonException e) {
            throw new ConfigurationException("config file " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return m;
        }
        if (!root.isObject()) {
            throw new ConfigurationException("config file " + file + " must be a YAML mapping of tally.* settings");
        }
        flatten("", root, m, file);
        return m;
    }

    /** Nested mappings join their keys with {@code .}; a list becomes a comma-separated value. */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, out, file);
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (item.isContainer()) {
                        throw new ConfigurationException("config file " + file + ": '" + key
                                + "' must be a value or a list of values");
                    }
                    items.add(item.asString());
                }
                out.put(key, String.join(",", items));
            } else if (!v.isNull()) {
                out.put(key, v.asString());
            }
        }
    }

    /** Every {@code tally.*} Java system property. */
    static Map<String, String> systemProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("tally.")) {
                out.put(name, System.getProperty(name));
            }
        }
        return out;
    }

    /** The settings that {@code TALLY_*} environment variables give for the {@code known} keys. */
    static Map<String, String> environment(Map<String, String> env, Collection<String> known) {
        Map<String, String> byEnvName = new LinkedHashMap<>();
        List<String> prefixes = new ArrayList<>();
        for (String key : known) {
            if (key.endsWith(".")) {
                prefixes.add(key);
            } else {
                byEnvName.put(ServerSettings.environmentName(key), key);
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = byEnvName.get(e.getKey());
            if (key == null) {
                key = underPrefix(e.getKey(), prefixes);
            }
            if (key != null) {
                out.put(key, e.getValue());
            }
        }
        return out;
    }

    private static String underPrefix(String envName, List<String> prefixes) {
        for (String prefix : prefixes) {
            String p = ServerSettings.environmentName(prefix);
            if (envName.startsWith(p) && envName.length() > p.length()) {
                return prefix + envName.substring(p.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            }
        }
        return null;
    }

    /**
     * Refuses keys that are not {@code known} (exact keys, or under a known prefix ending in {@code .}), naming the
     * nearest known key.
     */
    static void checkKnown(Map<String, String> settings, Collection<String> known, String source) {
        for (String key : settings.keySet()) {
            if (!isKnown(key, known)) {
                String nearest = nearest(key, known);
                throw new ConfigurationException(source + ": unknown setting '" + key + "'"
                        + (nearest == null ? "" : "; did you mean '" + nearest + "'?"));
            }
        }
    }

    private static boolean isKnown(String key, Collection<String> known) {
        for (String k : known) {
            if (k.endsWith(".") ? key.startsWith(k) && key.length() > k.length() : k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(3, key.length() / 4) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
