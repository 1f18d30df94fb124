package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.Event;
import dev.tally.api.IngestResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tally serve} in its own JVM gets SIGTERM while clients ingest: every event it acknowledged is in
 * the data directory afterwards (resending it is a duplicate).
 */
class SigtermTest {
    @TempDir
    Path dir;

    @Test
    void sigtermDuringIngestLosesNothingAcknowledged() throws Exception {
        Path data = dir.resolve("data");
        String key;
        try (Tally tally = Tally.builder().dataDir(data).build()) {
            key = tally.createKey(tally.createProject("acme").projectId(), dev.tally.api.Role.INGEST);
        }
        Process serve = java("serve", "--port", "0", "--data-dir", data.toString());
        BufferedReader stdout = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String base = null;
        while ((line = stdout.readLine()) != null) {
            int at = line.indexOf("serving http://");
            if (at >= 0) {
                base = line.substring(at + "serving ".length()).trim();
                break;
            }
        }
        assertThat(base).as("server address").isNotNull();

        HttpClient http = HttpClient.newHttpClient();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        CountDownLatch enough = new CountDownLatch(200);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            String url = base + "/v1/events";
            Thread t = new Thread(() -> {
                for (int i = 0; ; i++) {
                    String id = "c" + client + "-" + i;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"eventId\":\"" + id + "\",\"eventType\":\"tick\"}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 202) {
                            acknowledged.add(id);
                            enough.countDown();
                        } else if (r.statusCode() == 503) {
                            return; // draining: the server refuses new work
                        }
                    } catch (Exception e) {
                        return; // connection closed: the server is gone
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }

        try (Tally reopened = Tally.builder().dataDir(data).build()) {
            reopened.awaitIdle();
            java.time.Instant now = java.time.Instant.now();
            var count = reopened.project("acme").query(dev.tally.api.MetricQuery.metric("event_count")
                    .between(now.minus(java.time.Duration.ofHours(1)), now.plus(java.time.Duration.ofHours(1))).build());
            assertThat(count.points().get(0).value()).as("events counted after the restart")
                    .isGreaterThanOrEqualTo(acknowledged.size());
            List<Event> resend = new ArrayList<>();
            acknowledged.forEach(id -> resend.add(Event.builder("tick").eventId(id).build()));
            BatchResult r = reopened.project("acme").ingest(resend);
            assertThat(r.results()).allSatisfy(result -> assertThat(result).isInstanceOf(IngestResult.Duplicate.class));
        }
    }

    private Process java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TallyCli.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(new File(dir.toFile(), "serve.err")))
                .start();
    }

}
