package dev.tally.testkit.engine;

import dev.tally.Tally;
import dev.tally.api.ConfigurationException;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.BackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backends are discovered with ServiceLoader but selected by name, loudly. */
class BackendSelectionTest {

    @Test
    void unknownBackendNameFailsNamingTheArtifactToAdd(@TempDir Path dir) {
        // The cloud backend is on this test classpath: hide its registration, as a project without it would have.
        ClassLoader withoutCloud = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
                return java.util.Collections.enumeration(java.util.Collections.list(super.getResources(name)).stream()
                        .filter(u -> !u.toString().contains("engine-cloud")).toList());
            }
        };
        assertThatThrownBy(() -> Tally.builder().backend("cloud").classLoader(withoutCloud).dataDir(dir).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no Tally backend named 'cloud'")
                .hasMessageContaining("dev.tally:engine-cloud")
                .hasMessageContaining("available: local");
    }

    @Test
    void twoProvidersWithOneNameFail(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("extra/META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(BackendProvider.class.getName()), SecondLocalProvider.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("extra").toUri().toURL()},
                getClass().getClassLoader())) {
            assertThatThrownBy(() -> Tally.builder().classLoader(loader).dataDir(dir.resolve("data")).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("two backends are named 'local'")
                    .hasMessageContaining(SecondLocalProvider.class.getName());
        }
    }

    @Test
    void invalidSettingIsRefusedNamingTheKey(@TempDir Path dir) {
        assertThatThrownBy(() -> Tally.builder().dataDir(dir).setting("tally.windows.allowed-lateness", "soon").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tally.windows.allowed-lateness");
    }

    @Test
    void aDataDirectoryServesOneEngineAtATime(@TempDir Path dir) {
        try (Tally first = Tally.builder().dataDir(dir).build()) {
            assertThatThrownBy(() -> Tally.builder().dataDir(dir).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("in use by another Tally instance");
        }
    }

    /** A second provider claiming the name {@code local}; only registered through the test's class loader. */
    public static final class SecondLocalProvider implements BackendProvider {
        @Override
        public String name() {
            return "local";
        }

        @Override
        public String artifact() {
            return "test";
        }

        @Override
        public Backend open(BackendConfig config) {
            throw new AssertionError("must not be opened");
        }
    }
}
