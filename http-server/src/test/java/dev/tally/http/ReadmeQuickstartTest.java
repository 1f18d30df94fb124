package dev.tally.http;

import dev.tally.Tally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs README.md's curl quickstart, as written, with bash and curl against a real server (only the host and
 * port are pointed at the test's server). Skipped where bash or curl is missing.
 */
class ReadmeQuickstartTest {
    @TempDir
    Path dir;

    @Test
    void theQuickstartWorksAsWritten() throws Exception {
        assumeTrue(onPath("bash") && onPath("curl") && onPath("sed"), "bash, curl and sed are needed");
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```bash\nADMIN_KEY=change-me");
        assertThat(start).as("README quickstart block").isPositive();
        String block = readme.substring(readme.indexOf('\n', start) + 1, readme.indexOf("```", start + 7));
        String[] lines = block.split("\n");
        String lastCommand = String.join("\n", lines[lines.length - 2], lines[lines.length - 1]);

        try (Tally tally = Tally.builder().dataDir(dir.resolve("data")).build();
             TallyServer server = TallyServer.builder(tally).closeTallyOnStop(false)
                     .settings(ServerSettings.of(Map.of("tally.admin-key", "change-me"))).build()) {
            String host = "127.0.0.1:" + server.start(0);
            String output = bash(block.replace("localhost:8080", host), Map.of());
            JsonNode keys = JsonMapper.shared().readTree(output.lines().findFirst().orElseThrow()).path("keys");
            assertThat(keys.path("query").asString()).startsWith("tly_");
            assertThat(output).contains("{\"status\":\"accepted\",\"eventId\":\"e1\"}");

            tally.awaitIdle();
            String answer = bash(lastCommand.replace("localhost:8080", host),
                    Map.of("QUERY_KEY", keys.path("query").asString()));
            JsonNode points = JsonMapper.shared().readTree(answer).path("points");
            assertThat(points).hasSize(1);
            assertThat(points.get(0).path("value").asDouble()).isEqualTo(1.0);
            assertThat(points.get(0).path("dimensions").path("eventType").asString()).isEqualTo("purchase");
        }
    }

    private static String bash(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-euo", "pipefail", "-c", script)).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit code of:\n%s\noutput:\n%s", script, out).isZero();
        return out;
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
