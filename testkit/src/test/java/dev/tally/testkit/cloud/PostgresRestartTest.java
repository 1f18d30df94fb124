package dev.tally.testkit.cloud;

import dev.tally.api.BackendUnavailableException;
import dev.tally.cloud.PostgresCatalog;
import dev.tally.cloud.PostgresDatabase;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL going away and coming back: while it is stopped, calls fail within the connection timeout with a
 * {@link BackendUnavailableException} (HTTP 503) instead of hanging; once it is back on the same port with the
 * same data, the same open database carries on, its pool reconnecting by itself.
 */
class PostgresRestartTest {
    @TempDir
    Path dir;

    @Test
    void callsFailFastWhileTheServerIsDownAndResumeAfterItsRestart() {
        TestClock clock = TestClock.create();
        try (EmbeddedPostgres server = EmbeddedPostgres.start(dir.resolve("pg"))) {
            Map<String, String> settings = new HashMap<>(server.settings());
            settings.put("tally.postgres.connection-timeout", "1s");
            try (PostgresDatabase db = PostgresDatabase.open(BackendConfig.of(settings, clock), "")) {
                Catalog catalog = new PostgresCatalog(db);
                assertThat(catalog.createProject("shop", clock.instant())).isTrue();
                assertThat(db.schema()).isEqualTo("tally");

                server.stop();
                assertThat(server.isRunning()).isFalse();
                assertThatThrownBy(() -> catalog.project("shop"))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining(server.jdbcUrl());

                server.restart();
                assertThat(catalog.project("shop")).hasValueSatisfying(p -> assertThat(p.createdAt())
                        .isEqualTo(clock.instant()));
                assertThat(catalog.createProject("shop", clock.instant())).isFalse();
            }
        }
    }
}
