package dev.tally.testkit.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.api.ConflictException;
import dev.tally.api.MetricDefinition;
import dev.tally.api.SchemaVersion;
import dev.tally.cloud.CloudStorageException;
import dev.tally.cloud.PostgresCatalog;
import dev.tally.cloud.PostgresDatabase;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Catalog;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several engines on one PostgreSQL schema: they migrate it once between them, and uniqueness races between
 * them surface as {@link ConflictException} (or, for projects, as one creator); wrong settings fail at open with
 * a message naming the setting.
 */
class PostgresSharedDatabaseTest {
    private static final int ENGINES = 4;

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.create();

    /** Runs {@code task} on {@link #ENGINES} threads released together; returns each outcome (value or failure). */
    private static <T> List<Object> race(Callable<T> task) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(ENGINES);
        ExecutorService pool = Executors.newFixedThreadPool(ENGINES);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < ENGINES; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<PostgresDatabase> openAll() {
        List<PostgresDatabase> dbs = new ArrayList<>();
        for (int i = 0; i < ENGINES; i++) {
            dbs.add(PostgresTestServer.openDatabase(dir, clock));
        }
        return dbs;
    }

    private static void closeAll(List<PostgresDatabase> dbs) {
        dbs.forEach(PostgresDatabase::close);
    }

    @Test
    void enginesOpeningAFreshSchemaAtOnceMigrateItExactlyOnce() throws Exception {
        List<Object> opened = race(() -> PostgresTestServer.openDatabase(dir, clock));
        try {
            assertThat(opened).allSatisfy(o -> assertThat(o).isInstanceOf(PostgresDatabase.class));
            PostgresDatabase db = (PostgresDatabase) opened.get(0);
            List<Integer> versions = db.read(c -> {
                List<Integer> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_migrations ORDER BY version");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getInt(1));
                    }
                }
                return out;
            });
            assertThat(versions).containsExactly(1, 2); // every migration applied once, none twice
            assertThat(db.schema()).isEqualTo(PostgresTestServer.namespaceFor(dir));
        } finally {
            opened.stream().filter(PostgresDatabase.class::isInstance).map(PostgresDatabase.class::cast)
                    .forEach(PostgresDatabase::close);
        }
    }

    @Test
    void racingEnginesCreateAProjectOnceAndTheOthersAreToldItExists() throws Exception {
        List<PostgresDatabase> dbs = openAll();
        try {
            List<Catalog> catalogs = dbs.stream().<Catalog>map(PostgresCatalog::new).toList();
            int[] next = {0};
            List<Object> created = race(() -> catalogs.get(nextIndex(next)).createProject("shop", clock.instant()));
            assertThat(created).containsOnly(true, false).filteredOn(Boolean.TRUE::equals).hasSize(1);
        } finally {
            closeAll(dbs);
        }
    }

    @Test
    void racingEnginesAddingOneMetricOrSchemaVersionGetOneSuccessAndConflicts() throws Exception {
        List<PostgresDatabase> dbs = openAll();
        try {
            List<Catalog> catalogs = dbs.stream().<Catalog>map(PostgresCatalog::new).toList();
            catalogs.get(0).createProject("shop", clock.instant());
            int[] metric = {0};
            List<Object> metrics = race(() -> {
                catalogs.get(nextIndex(metric)).addMetric("shop", MetricDefinition.count("orders", "purchase"));
                return "added";
            });
            assertThat(metrics).filteredOn("added"::equals).hasSize(1);
            assertThat(metrics).filteredOn(ConflictException.class::isInstance).hasSize(ENGINES - 1);

            int[] schema = {0};
            List<Object> schemas = race(() -> {
                catalogs.get(nextIndex(schema)).addSchema("shop",
                        new SchemaVersion("purchase", 1, "{\"type\":\"object\"}", clock.instant()));
                return "added";
            });
            assertThat(schemas).filteredOn("added"::equals).hasSize(1);
            assertThat(schemas).filteredOn(ConflictException.class::isInstance).hasSize(ENGINES - 1);
            assertThat(catalogs.get(3).schemas("shop", "purchase")).hasSize(1);
        } finally {
            closeAll(dbs);
        }
    }

    private static synchronized int nextIndex(int[] counter) {
        return counter[0]++;
    }

    private BackendConfig settings(Map<String, String> settings) {
        return BackendConfig.of(settings, clock);
    }

    @Test
    void aMissingOrWrongSettingFailsAtOpenNamingIt() {
        String url = PostgresTestServer.server().jdbcUrl();
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of()), "x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.postgres.url");
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", "jdbc:mysql://db/x")), "x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.postgres.url");
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", url + "?currentSchema=a")), "x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("currentSchema");
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", url,
                "tally.postgres.pool-size", "0")), "x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.postgres.pool-size");
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", url)), "Bad-Name"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.cloud.namespace");
    }

    @Test
    void anUnknownDatabaseIsAConfigurationErrorAndAnUnreachableServerAStorageFailureNamingTheEndpoint() throws Exception {
        String unknownDb = "jdbc:postgresql://127.0.0.1:" + PostgresTestServer.server().port() + "/no_such_db";
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", unknownDb,
                "tally.postgres.user", "postgres")), "x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tally.postgres.url");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String nowhere = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres";
        assertThatThrownBy(() -> PostgresDatabase.open(settings(Map.of("tally.postgres.url", nowhere + "?password=s3cret",
                "tally.postgres.connection-timeout", "1s")), "x"))
                .isInstanceOf(CloudStorageException.class)
                .hasMessageContaining(nowhere)
                .hasMessageNotContaining("s3cret");
    }
}
