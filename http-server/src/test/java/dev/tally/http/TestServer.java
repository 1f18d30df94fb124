package dev.tally.http;

import dev.tally.Tally;
import dev.tally.api.CreatedProject;
import dev.tally.api.Role;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real engine on a directory, served on a free port, and a real HTTP client. Not a mock: the tests talk
 * HTTP to the server that {@code tally serve} runs.
 */
final class TestServer implements AutoCloseable {
    static final String ADMIN_KEY = "test-server-admin-key";

    final Path dir;
    final MutableClock clock;
    final Tally tally;
    final TallyServer server;
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private TestServer(Path dir, MutableClock clock, Map<String, String> settings) {
        this.dir = dir;
        this.clock = clock;
        this.tally = Tally.builder().dataDir(dir).clock(clock).settings(settings).build(); // engine keys (tally.sql.*) too
        Map<String, String> all = new LinkedHashMap<>();
        all.put("tally.admin-key", ADMIN_KEY);
        all.putAll(settings);
        this.server = TallyServer.builder(tally).settings(ServerSettings.of(all)).build();
        this.port = server.start(0);
    }

    static TestServer start(Path dir) {
        return new TestServer(dir, new MutableClock(), Map.of());
    }

    static TestServer start(Path dir, Map<String, String> settings) {
        return new TestServer(dir, new MutableClock(), settings);
    }

    /** A new project made through the engine; its keys by role. */
    Keys project(String projectId) {
        CreatedProject p = tally.createProject(projectId);
        return new Keys(projectId, p.keys().get(Role.INGEST), p.keys().get(Role.QUERY), p.keys().get(Role.ADMIN));
    }

    record Keys(String projectId, String ingest, String query, String admin) {
        String of(Role role) {
            return switch (role) {
                case INGEST -> ingest;
                case QUERY -> query;
                case ADMIN -> admin;
            };
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    Reply get(String path, String key) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), key);
    }

    Reply post(String path, String key, String body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"), key);
    }

    Reply post(String path, String key, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)), key);
    }

    Reply send(String method, String path, String key, String body) {
        return send(HttpRequest.newBuilder(uri(path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)), key);
    }

    Reply send(HttpRequest.Builder request, String key) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.headers().firstValue("Retry-After"),
                    r.headers().firstValue("Content-Type"), r.headers().firstValue("Allow"), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Reply(int status, Optional<String> retryAfter, Optional<String> contentType, Optional<String> allow,
                 String body) {
        JsonNode json() {
            return HttpJson.MAPPER.readTree(body);
        }

        /** Asserts the {@code {"error":{"code","message","details"}}} shape and returns the code. */
        String errorCode() {
            JsonNode error = json().get("error");
            assertThat(error).as("error object in %s", body).isNotNull();
            assertThat(error.get("code").isString()).as("error.code in %s", body).isTrue();
            assertThat(error.get("message").isString()).as("error.message in %s", body).isTrue();
            assertThat(error.get("details").isArray()).as("error.details in %s", body).isTrue();
            return error.get("code").asString();
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
