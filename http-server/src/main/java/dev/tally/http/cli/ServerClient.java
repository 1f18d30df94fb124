package dev.tally.http.cli;

import dev.tally.api.TallyException;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the command line: {@code --url} and {@code --key} (or {@code TALLY_URL} /
 * {@code TALLY_KEY}), one JSON request at a time, retrying 429/503 after {@code Retry-After}. A failure
 * becomes a {@link TallyException} carrying the server's error message (exit code 1).
 */
final class ServerClient {
    static final JsonMapper JSON = JsonMapper.shared();
    private static final int MAX_ATTEMPTS = 8;

    @Option(names = "--url", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
            description = "server URL (default: $TALLY_URL or ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--key", defaultValue = "${env:TALLY_KEY}", required = true,
            description = "API key of the project (default: $TALLY_KEY)")
    String key;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A response: status and JSON body (an empty object when the body is not JSON). */
    record Response(int status, JsonNode json, String body) {
        boolean ok() {
            return status / 100 == 2;
        }

        String errorMessage() {
            return json.path("error").path("message").asString(body);
        }
    }

    Response send(String method, String pathAndQuery, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        try {
            for (int attempt = 1; ; attempt++) {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
                    long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
                    TimeUnit.SECONDS.sleep(Math.min(30, Math.max(1, wait))); // the server asked for this pause
                    continue;
                }
                return new Response(status, parse(response.body()), response.body());
            }
        } catch (ConnectException e) {
            throw new TallyException("cannot reach " + url + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TallyException("request to " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted", e);
        }
    }

    /** Sends and returns the JSON of a 2xx answer; anything else fails with the server's message. */
    JsonNode call(String method, String pathAndQuery, String jsonBody) {
        Response r = send(method, pathAndQuery, jsonBody);
        if (!r.ok()) {
            throw new TallyException("server answered " + r.status() + ": " + r.errorMessage());
        }
        return r.json();
    }

    /** Sends, prints the pretty JSON answer on the command's standard output, and returns exit code 0. */
    int print(picocli.CommandLine.Model.CommandSpec spec, String method, String pathAndQuery, String jsonBody) {
        spec.commandLine().getOut().println(pretty(call(method, pathAndQuery, jsonBody)));
        return TallyCli.OK;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String pretty(JsonNode node) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (JacksonException e) {
            return JSON.createObjectNode();
        }
    }
}
