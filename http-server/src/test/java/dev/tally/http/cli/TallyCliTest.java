package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.http.TallyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TallyCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = TallyCli.commandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void help_everywhere_exits0() {
        assertThat(run(new TallyCli(), "--help")).isZero();
        assertThat(out.toString()).contains("serve", "create-project");
        assertThat(run(new TallyCli(), "serve", "--help")).isZero();
        assertThat(out.toString()).contains("--port", "--data-dir", "--profile", "--config");
        assertThat(run(new TallyCli(), "create-project", "--help")).isZero();
        assertThat(run(new TallyCli(), "help", "serve")).isZero();
        assertThat(run(new TallyCli(), "--version")).isZero();
    }

    @Test
    void usageErrors_exit2() {
        assertThat(run(new TallyCli())).isEqualTo(TallyCli.USAGE);
        assertThat(run(new TallyCli(), "bogus")).isEqualTo(TallyCli.USAGE);
        assertThat(run(new TallyCli(), "serve", "--port", "eighty")).isEqualTo(TallyCli.USAGE);
        assertThat(run(new TallyCli(), "serve", "--no-such-option")).isEqualTo(TallyCli.USAGE);
        assertThat(run(new TallyCli(), "create-project")).isEqualTo(TallyCli.USAGE);
        assertThat(err.toString()).isNotBlank();
    }

    @Test
    void startFailures_exit1WithOneLine(@TempDir Path dir) throws Exception {
        assertThat(run(new TallyCli(), "serve", "--port", "0", "--data-dir", dir.toString(),
                "--config", dir.resolve("missing.properties").toString())).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("cannot read config file");

        Path typo = Files.writeString(dir.resolve("typo.properties"), "talley.admin-key=x\n");
        assertThat(run(new TallyCli(), "serve", "--port", "0", "--config", typo.toString())).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("unknown key 'talley.admin-key'");

        Path bad = Files.writeString(dir.resolve("bad.properties"), "tally.http.max-body-bytes=lots\n");
        assertThat(run(new TallyCli(), "serve", "--port", "0", "--config", bad.toString())).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("tally.http.max-body-bytes");

        assertThat(run(new TallyCli(), "serve", "--port", "0", "--profile", "nope", "--data-dir", dir.resolve("d").toString()))
                .isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("nope");
    }

    @Test
    void createProject_printsKeysOnce_andRefusesAnExistingOne(@TempDir Path dir) {
        assertThat(run(new TallyCli(), "create-project", "acme", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("\"projectId\":\"acme\"", "\"ingest\":\"tly_", "\"query\":\"tly_",
                "\"admin\":\"tly_");
        assertThat(run(new TallyCli(), "create-project", "acme", "--data-dir", dir.toString())).isEqualTo(TallyCli.FAILURE);
        assertThat(err.toString()).contains("already exists");
    }

    @Test
    void serve_answersUntilShutdown_thenReturns0AndClosesTheEngine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("tally.properties"),
                "tally.admin-key = from-config\ntally.http.max-body-bytes: 2048\n");
        ServeCommand serve = new ServeCommand();
        CompletableFuture<TallyServer> started = new CompletableFuture<>();
        serve.onStarted(started::complete);
        Path data = dir.resolve("data");
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run(serve,
                "--port", "0", "--data-dir", data.toString(), "--config", config.toString(), "--host", "127.0.0.1"));

        TallyServer server = started.get(60, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + server.port();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/projects"))
                .header("Authorization", "Bearer from-config")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"cli\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/projects"))
                .header("Authorization", "Bearer from-config")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"" + "x".repeat(3000) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
        assertThat(out.toString()).contains("serving http://127.0.0.1:" + server.port());

        serve.shutdown(); // what the SIGTERM hook does
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(server.isRunning()).isFalse();
        try (Tally reopened = Tally.builder().dataDir(data).build()) { // the engine was closed: the dir is free
            assertThat(reopened.project("cli").projectId()).isEqualTo("cli");
        }
    }
}
