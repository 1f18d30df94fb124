package dev.tally.http.cli;

import dev.tally.api.ConfigurationException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads a {@code --config} file: {@code tally.*} keys in Java properties syntax ({@code key=value} or
 * {@code key: value}, so a flat YAML file of such lines reads too). Other keys are refused, so that a typo
 * is not silently ignored.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    static Map<String, String> load(Path file) {
        if (file == null) {
            return Map.of();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read config file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("config file " + file + " is not a properties file: " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(toStrings(p)).entrySet()) {
            if (!e.getKey().startsWith("tally.")) {
                throw new ConfigurationException("config file " + file + ": unknown key '" + e.getKey()
                        + "' (settings are tally.* keys)");
            }
            out.put(e.getKey(), unquote(e.getValue().trim()));
        }
        return out;
    }

    /** Every {@code tally.*} Java system property (they override the file). */
    static Map<String, String> systemProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("tally.")) {
                out.put(name, System.getProperty(name));
            }
        }
        return out;
    }

    private static Map<String, String> toStrings(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            m.put(name, p.getProperty(name));
        }
        return m;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
