package dev.tally.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v1/admin/retention|backup|replay}: server admin key only, answers, and 400s for every bad input. */
class AdminRoutesTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path backups;
    static TestServer s;
    private static final AtomicInteger BACKUPS = new AtomicInteger();

    @BeforeAll
    static void start() {
        s = TestServer.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static TestServer.Reply admin(String path, String body) {
        return s.post(path, TestServer.ADMIN_KEY, body);
    }

    private static String json(String field, String value) {
        return "{\"" + field + "\":" + HttpJson.MAPPER.writeValueAsString(value) + "}";
    }

    @Nested
    @DisplayName("access")
    class Access {
        @Test
        void projectKeysAndNoKeyAreRefused() {
            TestServer.Keys k = s.project("admin-access");
            for (String path : new String[]{"/v1/admin/retention", "/v1/admin/backup", "/v1/admin/replay"}) {
                assertThat(s.post(path, k.admin(), "{}").status()).as(path).isEqualTo(403);
                assertThat(s.post(path, null, "{}").status()).as(path).isEqualTo(401);
                assertThat(s.get(path, TestServer.ADMIN_KEY).status()).as(path).isEqualTo(405);
            }
        }
    }

    @Nested
    @DisplayName("POST /v1/admin/retention")
    class Retention {
        @Test
        void runsWithAnEmptyBodyOrAnEmptyObject() {
            for (String body : new String[]{"", "{}"}) {
                TestServer.Reply r = admin("/v1/admin/retention", body);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonNode j = r.json();
                assertThat(j.get("ranAt").asString()).isEqualTo(MutableClock.START.toString());
                for (String field : new String[]{"filesMovedToCold", "filesDeleted", "eventRowsDeleted",
                        "aggregatesDeleted", "logBytesFreed"}) {
                    assertThat(j.get(field).isIntegralNumber()).as(field).isTrue();
                }
            }
        }

        @Test
        void fieldsAndMalformedBodiesAre400() {
            TestServer.Reply unknown = admin("/v1/admin/retention", "{\"now\":true}");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.errorCode()).isEqualTo("invalid_request");
            assertThat(admin("/v1/admin/retention", "{nope").errorCode()).isEqualTo("malformed_json");
            assertThat(admin("/v1/admin/retention", "[]").status()).isEqualTo(400);
        }
    }

    @Nested
    @DisplayName("POST /v1/admin/backup")
    class Backup {
        @Test
        void writesABackupAndAnswers201WithItsSummary() {
            Path to = backups.resolve("b" + BACKUPS.incrementAndGet());
            TestServer.Reply r = admin("/v1/admin/backup", json("to", to.toString()));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(r.json().get("directory").asString()).isEqualTo(to.toString());
            assertThat(r.json().get("backend").asString()).isEqualTo("local");
            assertThat(r.json().get("bytes").asLong()).isPositive();
            assertThat(Files.isRegularFile(to.resolve("backup.json"))).isTrue();
        }

        @Test
        void unusableTargetsAre400() throws IOException {
            Path full = Files.createDirectories(backups.resolve("full"));
            Files.writeString(full.resolve("x"), "x");
            String[][] cases = {
                    {json("to", "relative/dir"), "absolute"},
                    {json("to", dir.resolve("data").resolve("inside").toString()), "outside the data directory"},
                    {json("to", full.toString()), "empty"},
                    {json("to", full.resolve("x").toString()), "empty"},
                    {json("to", "/tmp/bad\u0000name"), "valid path"},
                    {"{\"to\":42}", "string"},
                    {"{\"to\":\"  \"}", "string"},
                    {"{}", "required"},
                    {"{\"to\":null}", "required"},
                    {"{\"dir\":\"/tmp/x\"}", "unknown field"},
            };
            for (String[] c : cases) {
                TestServer.Reply r = admin("/v1/admin/backup", c[0]);
                assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(400);
                assertThat(r.errorCode()).isEqualTo("invalid_request");
                assertThat(r.body()).as(c[0]).contains(c[1]);
            }
            assertThat(dir.resolve("data").resolve("inside")).as("nothing is left in the data directory").doesNotExist();
            Path file = Files.writeString(backups.resolve("a-file"), "x");
            TestServer.Reply underAFile = admin("/v1/admin/backup", json("to", file.resolve("sub").toString()));
            assertThat(underAFile.status()).as(underAFile.body()).isEqualTo(400);
            assertThat(underAFile.body()).contains("cannot create the backup directory");
        }
    }

    @Nested
    @DisplayName("POST /v1/admin/replay")
    class Replay {
        @Test
        void startsAReplayFromAnInstantOrEpochMillis() {
            TestServer.Reply r = admin("/v1/admin/replay", json("from", "2024-01-15T08:30:00Z"));
            assertThat(r.status()).as(r.body()).isEqualTo(202);
            assertThat(r.json().get("requested").asString()).isEqualTo("2024-01-15T08:30:00Z");
            assertThat(r.json().get("from").asString()).isEqualTo("2024-01-15T08:00:00Z");
            assertThat(r.json().has("logAfter")).isTrue();
            TestServer.Reply millis = admin("/v1/admin/replay", "{\"from\":" + MutableClock.START.toEpochMilli() + "}");
            assertThat(millis.status()).as(millis.body()).isEqualTo(202);
            s.tally.awaitIdle();
        }

        @Test
        void badTimesAre400() {
            String[][] cases = {
                    {json("from", "yesterday"), "ISO-8601"},
                    {json("from", "2024-01-15"), "ISO-8601"},
                    {"{\"from\":1.5}", "ISO-8601"},
                    {"{\"from\":true}", "ISO-8601"},
                    {json("from", "2024-01-15T11:00:00Z"), "after the engine's current time"},
                    {"{}", "required"},
                    {"{\"from\":\"2024-01-15T08:00:00Z\",\"to\":1}", "unknown field"},
            };
            for (String[] c : cases) {
                TestServer.Reply r = admin("/v1/admin/replay", c[0]);
                assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(400);
                assertThat(r.body()).as(c[0]).contains(c[1]);
            }
        }
    }
}
