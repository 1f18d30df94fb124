package dev.tally.testkit;

import dev.tally.Tally;
import dev.tally.api.CreatedProject;
import dev.tally.api.ProjectOperations;
import dev.tally.api.Role;
import dev.tally.http.ServerSettings;
import dev.tally.http.TallyServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real Tally HTTP server ({@code tally serve}) on a random port of 127.0.0.1, for integration tests of an app
 * that sends its events over HTTP — what teams run Snowplow Micro in a container for, in-process and deterministic:
 * <pre>{@code
 * @RegisterExtension
 * static final TallyServerExtension TALLY = TallyServerExtension.local().schemas("schemas/");
 *
 * @Test
 * void checkoutSendsAPurchase(TallyServerExtension.ServerProject project) {
 *     App app = new App(TALLY.baseUrl(), project.ingestKey());        // the app under test, pointed at Tally
 *     app.checkout("order-1", 25.0);
 *     assertThat(TALLY.tally()).project(project.projectId()).event("order-1").isAccepted();
 * }
 * }</pre>
 *
 * <p>Registered statically, one engine and one server serve the class; before each test the extension resets: a
 * fresh project with its own keys (an ingest, a query and an admin key), so a test sees only its own events even
 * when tests run concurrently, and nothing needs deleting. Inject {@link ServerProject} to get them (safe under
 * parallel execution), or read {@link #project()} (the latest reset's: for sequential tests). {@link #reset()}
 * starts over within a test. Registered as an instance field, each test gets a server of its own.
 *
 * <p>Inspection goes through the public routes, as the app's own team would use them — {@link ServerProject#event},
 * {@link ServerProject#rejectedEvents()}, {@link ServerProject#metric} answer the JSON of
 * {@code GET /v1/events/{eventId}}, {@code GET /v1/events/rejected} and {@code GET /v1/metrics/{name}} after
 * waiting for the engine to be idle — or through Java: {@link #tally()} with {@code TallyAssertions}.
 *
 * <p>The engine's clock is a {@link TestClock} starting at the wall-clock second the server starts (apps stamp
 * events with real time; the engine refuses timestamps more than 5 minutes ahead of its clock), unless
 * {@link #withClockAt} says otherwise. The server's own admin key (for {@code POST /v1/projects}) is
 * {@link #serverAdminKey()}. Thread-safe.
 */
public final class TallyServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TallyServerExtension.class);
    private static final JsonMapper JSON = JsonMapper.shared();

    private final Instant start;
    private final Map<String, String> settings;
    private final List<String> schemas;
    private final List<String> metrics;
    private final AtomicInteger projects = new AtomicInteger();
    private volatile Server server;
    private volatile ServerProject latest;

    private TallyServerExtension(Instant start, Map<String, String> settings, List<String> schemas,
                                 List<String> metrics) {
        this.start = start;
        this.settings = Map.copyOf(settings);
        this.schemas = List.copyOf(schemas);
        this.metrics = List.copyOf(metrics);
    }

    /** The server over a local engine on a temporary directory. */
    public static TallyServerExtension local() {
        return new TallyServerExtension(null, Map.of(), List.of(), List.of());
    }

    /** Starts the engine's {@link TestClock} at {@code instant} instead of the wall-clock second of the start. */
    public TallyServerExtension withClockAt(Instant instant) {
        return new TallyServerExtension(instant, settings, schemas, metrics);
    }

    /** An engine ({@code tally.*}) or server ({@code tally.http.*}) setting. */
    public TallyServerExtension withSetting(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(settings);
        next.put(key, value);
        return new TallyServerExtension(start, next, schemas, metrics);
    }

    /** Schemas registered in every test's project (see {@link TallyExtension#schemas}). */
    public TallyServerExtension schemas(String... locations) {
        List<String> next = new ArrayList<>(schemas);
        next.addAll(List.of(locations));
        return new TallyServerExtension(start, settings, next, metrics);
    }

    /** Metrics defined in every test's project (see {@link TallyExtension#metrics}). */
    public TallyServerExtension metrics(String... locations) {
        List<String> next = new ArrayList<>(metrics);
        next.addAll(List.of(locations));
        return new TallyServerExtension(start, settings, schemas, next);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put(Server.class, startServer());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // the class store stops the server
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (context.getStore(NS).get(Server.class, Server.class) == null) {
            context.getStore(NS).put(Server.class, startServer());   // an instance field: a server per test
        }
        ServerProject project = newProject(context.getRequiredTestClass().getClassLoader());
        context.getStore(NS).put(ServerProject.class, project);
    }

    private Server startServer() {
        Path dir;
        try {
            dir = Files.createTempDirectory("tally-server-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestClock clock = TestClock.at(start != null ? start : Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Map<String, String> engine = new HashMap<>();
        Map<String, String> http = new HashMap<>();
        engine.put("tally.local.dedup.initial-capacity", "1024");
        String adminKey = "tally-test-admin-" + HexFormat.of().formatHex(randomBytes());
        http.put("tally.admin-key", adminKey);
        http.put("tally.http.host", "127.0.0.1");
        settings.forEach((k, v) -> (k.startsWith("tally.http.") || k.equals("tally.admin-key") ? http : engine).put(k, v));
        Tally tally = Tally.builder().dataDir(dir).clock(clock).settings(engine).build();
        try {
            TallyServer httpServer = TallyServer.builder(tally).settings(ServerSettings.of(http)).closeTallyOnStop(true)
                    .build();
            int port = httpServer.start(0);
            Server s = new Server(httpServer, tally, clock, dir, "http://127.0.0.1:" + port, http.get("tally.admin-key"));
            server = s;
            return s;
        } catch (RuntimeException e) {
            tally.close();
            throw e;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private ServerProject newProject(ClassLoader loader) {
        Server s = requireServer();
        String projectId = "test-" + projects.incrementAndGet();
        CreatedProject created = s.tally.createProject(projectId);
        ProjectOperations ops = s.tally.project(projectId);
        for (String location : schemas) {
            ResourceDefinitions.registerSchemas(ops, loader, location);
        }
        for (String location : metrics) {
            ResourceDefinitions.defineMetrics(ops, loader, location);
        }
        ServerProject project = new ServerProject(s, projectId, created.keys().get(Role.INGEST),
                created.keys().get(Role.QUERY), created.keys().get(Role.ADMIN));
        latest = project;
        return project;
    }

    /** Starts over: a fresh project with new keys (the tracking plan registered again); the server stays up. */
    public ServerProject reset() {
        return newProject(Thread.currentThread().getContextClassLoader());
    }

    /** The project of the latest reset (before each test): for tests that do not run concurrently in one class. */
    public ServerProject project() {
        ServerProject p = latest;
        if (p == null) {
            throw new IllegalStateException("no test has started yet");
        }
        return p;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String baseUrl() {
        return requireServer().baseUrl;
    }

    public int port() {
        return URI.create(baseUrl()).getPort();
    }

    /** The latest reset's ingest key ({@link #project()}). */
    public String ingestKey() {
        return project().ingestKey();
    }

    /** The latest reset's query key ({@link #project()}). */
    public String queryKey() {
        return project().queryKey();
    }

    /** The latest reset's project admin key ({@link #project()}). */
    public String adminKey() {
        return project().adminKey();
    }

    /** The server's own admin key: {@code POST /v1/projects} only. */
    public String serverAdminKey() {
        return requireServer().serverAdminKey;
    }

    /** The engine behind the server, for Java-side assertions ({@code assertThat(tally()).project(id)...}). */
    public Tally tally() {
        return requireServer().tally;
    }

    public TestClock clock() {
        return requireServer().clock;
    }

    private Server requireServer() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("the server is not started: register the extension with @RegisterExtension");
        }
        return s;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == ServerProject.class || type == TestClock.class || type == Tally.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        if (type == ServerProject.class) {
            ServerProject project = e.getStore(NS).get(ServerProject.class, ServerProject.class);
            if (project == null) {
                throw new ParameterResolutionException("ServerProject is given to test methods only");
            }
            return project;
        }
        Server s = e.getStore(NS).get(Server.class, Server.class);
        if (s == null) {
            throw new ParameterResolutionException("no Tally server is running in this context");
        }
        return type == Tally.class ? s.tally : s.clock;
    }

    private record Server(TallyServer http, Tally tally, TestClock clock, Path dir, String baseUrl,
                          String serverAdminKey) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws IOException {
            try {
                http.stop();   // closes the engine too
            } finally {
                TallyExtension.deleteRecursively(dir);
            }
        }
    }

    /** An HTTP answer: status and body, the body also as JSON when it is JSON. */
    public record Response(int status, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /**
     * One test's project on the server: its id and keys, and inspection through the public routes (each call waits
     * for the engine to be idle first, so what the app sent is aggregated and archived). Thread-safe.
     */
    public static final class ServerProject {
        private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        private final Server server;
        private final String projectId;
        private final String ingestKey;
        private final String queryKey;
        private final String adminKey;

        ServerProject(Server server, String projectId, String ingestKey, String queryKey, String adminKey) {
            this.server = server;
            this.projectId = projectId;
            this.ingestKey = ingestKey;
            this.queryKey = queryKey;
            this.adminKey = adminKey;
        }

        public String projectId() {
            return projectId;
        }

        public String ingestKey() {
            return ingestKey;
        }

        public String queryKey() {
            return queryKey;
        }

        public String adminKey() {
            return adminKey;
        }

        public String baseUrl() {
            return server.baseUrl;
        }

        /** The project on the Java side: {@code tally().project(projectId())}. */
        public ProjectOperations operations() {
            return server.tally.project(projectId);
        }

        /** {@code GET /v1/events/{eventId}}: 200 with the event's fate, 404 when unknown. */
        public Response event(String eventId) {
            return get("/v1/events/" + URLEncoder.encode(eventId, StandardCharsets.UTF_8));
        }

        /** {@code GET /v1/events/rejected}: the project's rejected and late events, newest first. */
        public Response rejectedEvents() {
            return get("/v1/events/rejected");
        }

        /**
         * {@code GET /v1/metrics/{name}} over the engine's last 24 h up to 5 minutes ahead of its clock, one point
         * ({@code granularity=all}) unless {@code query} (e.g. {@code "groupBy=country"}) adds parameters.
         */
        public Response metric(String name, String query) {
            Instant now = server.clock.instant();
            String range = "startTime=" + now.minus(Duration.ofHours(24)) + "&endTime=" + now.plus(Duration.ofMinutes(5));
            String extra = query == null || query.isEmpty() ? "" : "&" + query;
            String granularity = extra.contains("granularity=") ? "" : "&granularity=all";
            return get("/v1/metrics/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "?" + range + granularity
                    + extra);
        }

        /** A GET of any route with the project's query key, after waiting for the engine to be idle. */
        public Response get(String pathAndQuery) {
            server.tally.awaitIdle();
            return send(HttpRequest.newBuilder(URI.create(server.baseUrl + pathAndQuery)).GET(), queryKey);
        }

        /** A POST of a JSON body with the project's ingest key (as the app under test would send it). */
        public Response post(String path, String json) {
            return send(HttpRequest.newBuilder(URI.create(server.baseUrl + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)), ingestKey);
        }

        private static Response send(HttpRequest.Builder request, String key) {
            try {
                HttpResponse<String> r = CLIENT.send(request.header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                return new Response(r.statusCode(), r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public String toString() {
            return "ServerProject[" + projectId + " at " + server.baseUrl + "]";
        }
    }
}
