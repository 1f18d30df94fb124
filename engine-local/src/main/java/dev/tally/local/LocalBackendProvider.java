package dev.tally.local;

import dev.tally.api.BackupSummary;
import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.BackendProvider;

import java.nio.file.Path;

/** Registers the {@code local} backend (Chronicle Queue, H2, Caffeine, local directory). */
public final class LocalBackendProvider implements BackendProvider {
    static {
        // Chronicle otherwise reports usage over the network; an embedded engine must not phone home.
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        if (System.getProperty("chronicle.announcer.disable") == null) {
            System.setProperty("chronicle.announcer.disable", "true");
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String artifact() {
        return "dev.tally:engine-local";
    }

    @Override
    public java.util.List<String> settingKeys() {
        return java.util.List.of("tally.data-dir", "tally.local.dedup.initial-capacity", "tally.local.cache.max-bytes");
    }

    @Override
    public Backend open(BackendConfig config) {
        return new LocalBackend(config);
    }

    /** Restores a backup of {@link Backend#backup} into {@code tally.data-dir}; see {@link LocalBackup}. */
    @Override
    public BackupSummary restore(Path backup, BackendConfig config, boolean force) {
        return LocalBackup.restore(backup, config.dataDir(), force);
    }
}
