package dev.tally.cloud;

import dev.tally.spi.Backend;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.BackendProvider;

/** Registers the {@code cloud} backend (Kafka, Redis, PostgreSQL, S3). */
public final class CloudBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cloud";
    }

    @Override
    public String artifact() {
        return "dev.tally:engine-cloud";
    }

    @Override
    public Backend open(BackendConfig config) {
        return new CloudBackend(config);
    }
}
