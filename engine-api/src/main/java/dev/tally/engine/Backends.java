package dev.tally.engine;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.BackendProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds a {@link BackendProvider} by name among those on the classpath. */
public final class Backends {
    private static final Map<String, String> KNOWN = Map.of(
            "local", "dev.tally:engine-local",
            "cloud", "dev.tally:engine-cloud");

    private Backends() {
    }

    public static BackendProvider find(String name, ClassLoader loader) {
        Map<String, BackendProvider> byName = new HashMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
            BackendProvider previous = byName.put(p.name(), p);
            if (previous != null) {
                throw new ConfigurationException("two backends are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName()
                        + "; remove one from the classpath");
            }
        }
        BackendProvider provider = byName.get(name);
        if (provider == null) {
            String artifact = KNOWN.get(name);
            throw new ConfigurationException("no Tally backend named '" + name + "' on the classpath"
                    + (artifact != null ? "; add the dependency " + artifact : "")
                    + " (available: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())) + ")");
        }
        return provider;
    }
}
