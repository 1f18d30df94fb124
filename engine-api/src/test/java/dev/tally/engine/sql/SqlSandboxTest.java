package dev.tally.engine.sql;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sandbox's DuckDB settings on their own, without the statement check in front: even statements the
 * check would refuse cannot open another file, write one, load an extension or change a setting.
 */
class SqlSandboxTest {
    @TempDir
    static Path dir;
    static Path mine;
    static Path theirs;
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void writeTwoParquetFiles() throws SQLException {
        mine = dir.resolve("mine.parquet");
        theirs = dir.resolve("theirs.parquet");
        try (Connection c = DuckDb.open(null); Statement s = c.createStatement()) {
            for (Path p : List.of(mine, theirs)) {
                s.execute("COPY (SELECT 'e1' AS event_id, 'u1' AS user_id, 'view' AS event_type, "
                        + "TIMESTAMPTZ '2024-01-15 10:30:00+00' AS \"timestamp\", MAP {'k': 'v'} AS properties, "
                        + "{'ip': NULL, 'user_agent': NULL, 'country': 'US', 'device': NULL, 'extra': MAP {}} AS context, "
                        + "TIMESTAMPTZ '2024-01-15 10:30:01+00' AS ingested_at) TO " + DuckDb.literal(p.toString())
                        + " (FORMAT parquet)");
            }
        }
    }

    private static SqlSandbox.Rows run(String sql) throws SQLException {
        try (SqlSandbox sandbox = new SqlSandbox(SqlSettings.defaults(), List.of(mine), null, null)) {
            return sandbox.run(sql, 100, 1 << 20, SqlSettings.defaults(), TIMER);
        }
    }

    @Test
    void theEventsView_readsTheGivenFile() throws SQLException {
        assertThat(run("SELECT event_id, context.country FROM events").rows()).containsExactly(List.of("e1", "US"));
    }

    @Test
    void anExplicitRange_filtersTheRows() throws SQLException {
        try (SqlSandbox sandbox = new SqlSandbox(SqlSettings.defaults(), List.of(mine),
                Instant.parse("2024-01-15T10:31:00Z"), null)) {
            assertThat(sandbox.run("SELECT count(*) FROM events", 10, 1000, SqlSettings.defaults(), TIMER).rows())
                    .containsExactly(List.of(0L));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM read_parquet('%THEIRS%')",
            "SELECT * FROM read_parquet('%DIR%/*.parquet')",
            "SELECT * FROM glob('%DIR%/*')",
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_text('/etc/hosts')",
            "COPY (SELECT 1) TO '%DIR%/out.csv'",
            "ATTACH '%DIR%/x.db' AS x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "SET allowed_paths = ['/etc/passwd']",
            "RESET lock_configuration",
    })
    void withoutTheCheck_duckDbItselfRefuses(String template) {
        String sql = template.replace("%THEIRS%", theirs.toString()).replace("%DIR%", dir.toString());
        assertThatThrownBy(() -> run(sql)).isInstanceOf(SQLException.class);
        assertThat(dir.resolve("out.csv")).doesNotExist();
        assertThat(dir.resolve("x.db")).doesNotExist();
    }

    @Test
    void nothingSpillsToDisk() throws SQLException, java.io.IOException {
        run("SELECT count(*) FROM (SELECT * FROM range(100000) ORDER BY random())");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("mine.parquet", "theirs.parquet");
        }
    }
}
