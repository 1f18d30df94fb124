package dev.tally.testkit.local;

import dev.tally.local.LocalBackendProvider;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.testkit.TestClock;

import java.nio.file.Path;
import java.util.Map;

/** Opens the local backend on a directory, the way every local contract test does. */
final class LocalBackends {
    private LocalBackends() {
    }

    static Backend open(Path dir, TestClock clock) {
        return new LocalBackendProvider().open(BackendConfig.of(Map.of("tally.data-dir", dir.toString()), clock));
    }
}
