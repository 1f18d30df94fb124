package dev.tally.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.Tally;
import dev.tally.api.BatchResult;
import dev.tally.api.EventBody;
import dev.tally.api.Principal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The alternative the HTTP server was measured against: the JDK's built-in {@code com.sun.net.httpserver}
 * (thread per request from a pool, blocking I/O) serving the same two ingest routes through the same engine
 * calls ({@code authenticate}, {@code parseJson}, {@code ingestParsed}) on a project {@code bench} with the
 * benchmark's schema and metrics, whose ingest key it prints. Only what the benchmark drives is implemented;
 * it is not a product server.
 */
@Command(name = "jdk-http", description = "Serves the ingest routes with the JDK's HttpServer, for comparison")
final class JdkHttpAlternative implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "18182")
    int port = 18182;

    @Option(names = "--data-dir", required = true)
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Tally tally = Tally.builder().dataDir(dataDir).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
        server.setExecutor(pool);
        server.createContext("/v1/events", ex -> ingest(tally, ex, ex.getRequestURI().getPath().endsWith("/batch")));
        var bench = tally.createProject("bench");
        BenchMain.defineWorkload(tally.project("bench"));
        server.start();
        BenchMain.OUT.println("ingest-key " + bench.keys().get(dev.tally.api.Role.INGEST));
        BenchMain.OUT.println("jdk-http listening on " + port);
        BenchMain.OUT.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    private static void ingest(Tally tally, HttpExchange ex, boolean batch) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Optional<Principal> principal = auth == null ? Optional.empty() : tally.authenticate(auth.substring(7));
        if (principal.isEmpty()) {
            send(ex, 401, "{\"error\":{\"code\":\"unauthorized\"}}");
            return;
        }
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        var project = tally.project(principal.get().projectId());
        EventBody parsed = project.parseJson(body, batch);
        if (!parsed.bodyViolations().isEmpty()) {
            send(ex, 400, "{\"error\":{\"code\":\"invalid\"}}");
            return;
        }
        BatchResult r = project.ingestParsed(parsed.events());
        if (batch) {
            send(ex, 200, "{\"accepted\":" + r.accepted() + ",\"duplicates\":" + r.duplicates() + ",\"rejected\":[]}");
        } else {
            send(ex, r.accepted() == 1 ? 202 : 200, "{\"status\":\"" + r.results().get(0).status().name().toLowerCase()
                    + "\",\"eventId\":\"" + r.results().get(0).eventId() + "\"}");
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
