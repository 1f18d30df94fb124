package dev.tally.spi;

import dev.tally.api.BackupSummary;
import dev.tally.api.NotSupportedException;

import java.nio.file.Path;

/**
 * Creates a {@link Backend} by name. Implementations are listed in
 * {@code META-INF/services/dev.tally.spi.BackendProvider}; Tally discovers them with {@link java.util.ServiceLoader}
 * but selects exactly one by {@link #name()}, failing on an unknown name or on two providers with one name.
 */
public interface BackendProvider {

    /** Short lowercase name used in configuration, e.g. {@code local} or {@code cloud}. */
    String name();

    /** The Maven coordinates a user adds to get this provider; named in "backend not found" errors. */
    String artifact();

    Backend open(BackendConfig config);

    /**
     * The {@code tally.*} keys this backend reads, so that tools can refuse a misspelt key before opening
     * anything. A key ending in {@code .} stands for every key under it (pass-through client properties).
     */
    default java.util.List<String> settingKeys() {
        return java.util.List.of();
    }

    /**
     * Restores a backup written by {@link Backend#backup} into the storage {@code config} names (e.g. the local
     * data directory), which no engine may have open. Refuses storage that already holds data unless
     * {@code force}, which replaces it. The next engine opened there resumes from the backup: its consumers
     * replay the log from the checkpoints in it.
     *
     * @throws NotSupportedException when this backend restores with its stores' own tools
     * @throws dev.tally.api.ConfigurationException when the storage is in use, not empty, or the backup is unusable
     */
    default BackupSummary restore(Path backup, BackendConfig config, boolean force) {
        throw new NotSupportedException("the " + name() + " backend does not restore backups: restore its stores "
                + "with their own tools");
    }
}
