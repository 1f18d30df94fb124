package dev.tally.testkit;

import dev.tally.Tally;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * JUnit 5 extension that provides a {@link Tally} on a temporary directory and its {@link TestClock}.
 *
 * <p>As an instance field ({@code @RegisterExtension TallyExtension tally = TallyExtension.local();}) or via
 * {@link TallyTest} each test gets a fresh engine; as a static field one engine serves the whole class.
 * State lives in JUnit's extension store, never in globals, so parallel tests are safe.
 */
public class TallyExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TallyExtension.class);

    private final TallyTest.Profile profile;
    private final Instant start;
    private final Map<String, String> settings;
    private final Consumer<Tally.Builder> customizer;
    private final List<String> schemas;
    private final List<String> metrics;

    /** Used by {@link TallyTest}: the local backend with default settings. */
    public TallyExtension() {
        this(TallyTest.Profile.LOCAL, TestClock.DEFAULT_START, Map.of(), null, List.of(), List.of());
    }

    /** @param customizer {@code null} when nothing beyond settings is customized: then engines come from the pool */
    private TallyExtension(TallyTest.Profile profile, Instant start, Map<String, String> settings,
                           Consumer<Tally.Builder> customizer, List<String> schemas, List<String> metrics) {
        this.profile = profile;
        this.start = start;
        this.settings = Map.copyOf(settings);
        this.customizer = customizer;
        this.schemas = List.copyOf(schemas);
        this.metrics = List.copyOf(metrics);
    }

    /** The local backend (Chronicle Queue, H2, a local directory) on a temporary directory per engine. */
    public static TallyExtension local() {
        return new TallyExtension();
    }

    /**
     * The cloud backend (Kafka, Redis, PostgreSQL, S3) on the JVM's shared {@link
     * dev.tally.testkit.cloud.EmbeddedCloudStack} (started by the first test that needs it, a few seconds, then
     * reused by every class), each engine in a namespace of its own: its own topics, keys, schema and prefix, so
     * tests are isolated as with {@link #local()}. Needs {@code engine-cloud} and the embedded servers on the test
     * classpath (see README, "Testing with Tally").
     */
    public static TallyExtension cloud() {
        return new TallyExtension(TallyTest.Profile.CLOUD, TestClock.DEFAULT_START, Map.of(), null, List.of(),
                List.of());
    }

    /** Starts the test clock at {@code instant} instead of {@link TestClock#DEFAULT_START}. */
    public TallyExtension withClockAt(Instant instant) {
        return new TallyExtension(profile, instant, settings, customizer, schemas, metrics);
    }

    public TallyExtension withSetting(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(settings);
        next.put(key, value);
        return new TallyExtension(profile, start, next, customizer, schemas, metrics);
    }

    /**
     * Any further builder customization (limits, backend, ...). Engines of a customized extension are opened and
     * closed on the test's thread instead of coming from the background pool (settings alone keep the pool).
     */
    public TallyExtension with(Consumer<Tally.Builder> more) {
        return new TallyExtension(profile, start, settings, customizer == null ? more : customizer.andThen(more), schemas,
                metrics);
    }

    /**
     * Registers the schemas under these classpath locations in every engine this extension opens: folders of
     * {@code <eventType>.json} files, or single files (see {@link ResourceDefinitions}). A bad file fails the
     * test with a {@link TestResourceException} naming it.
     */
    public TallyExtension schemas(String... locations) {
        return new TallyExtension(profile, start, settings, customizer, concat(schemas, locations), metrics);
    }

    /**
     * Defines the metrics in the files under these classpath locations (the {@code POST /v1/metrics} body, one
     * per file or an array) in every engine this extension opens, after the schemas.
     */
    public TallyExtension metrics(String... locations) {
        return new TallyExtension(profile, start, settings, customizer, schemas, concat(metrics, locations));
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** Registered statically: one engine for the whole class. */
    @Override
    public void beforeAll(ExtensionContext context) {
        open(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // The class store closes the class-level engine.
    }

    /** A fresh engine per test unless a class-level one exists (lookups see the parent store). */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (context.getStore(NS).get(Fixture.class, Fixture.class) == null) {
            open(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // The method store closes the per-test engine.
    }

    private void open(ExtensionContext context) {
        Fixture fixture = customizer == null ? pooled(context) : direct(context);
        context.getStore(NS).put(Fixture.class, fixture);
        ClassLoader loader = context.getRequiredTestClass().getClassLoader();
        for (String location : schemaLocations(context)) {
            ResourceDefinitions.registerSchemas(fixture.tally(), loader, location);
        }
        for (String location : metricLocations(context)) {
            ResourceDefinitions.defineMetrics(fixture.tally(), loader, location);
        }
    }

    /**
     * Settings for a test engine: the extension's, over test-sized defaults (a dedup index of 1024 slots instead of
     * 4M: the file a close saves is 16 KiB, not 64 MiB; it grows as needed).
     */
    Map<String, String> engineSettings(ExtensionContext context) {
        Map<String, String> all = new LinkedHashMap<>();
        if (profile(context) == TallyTest.Profile.LOCAL) {
            all.put("tally.local.dedup.initial-capacity", "1024");
        }
        all.putAll(settings);
        return all;
    }

    /** The profile this extension runs; {@link PerTest} reads it from {@link TallyTest#profile()}. */
    TallyTest.Profile profile(ExtensionContext context) {
        return profile;
    }

    /** An engine from the run's pool: opened ahead in the background, closed in the background. */
    private Fixture pooled(ExtensionContext context) {
        EnginePool.Lease lease = pool(context).take(poolConfig(context));
        return new Fixture(lease.tally(), lease.clock(), lease);
    }

    void prepare(ExtensionContext context) {
        if (customizer == null) {
            pool(context).prepare(poolConfig(context));
        }
    }

    private EnginePool.Config poolConfig(ExtensionContext context) {
        return new EnginePool.Config(profile(context).backend(), engineSettings(context), start);
    }

    private static EnginePool pool(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(PoolResource.class,
                k -> new PoolResource(new EnginePool(TallyExtension::builder)), PoolResource.class).pool();
    }

    /** A builder for a configuration: a cloud engine gets the shared stack and a namespace of its own. */
    static Tally.Builder builder(EnginePool.Config config) {
        Tally.Builder b = Tally.builder().backend(config.backend());
        if (config.backend().equals(TallyTest.Profile.CLOUD.backend())) {
            b.settings(CloudEngines.settings());
        }
        return b.settings(config.settings());
    }

    /** An engine of a customized builder, opened here and closed on the test's thread. */
    private Fixture direct(ExtensionContext context) {
        try {
            Path dir = Files.createTempDirectory("tally-test-");
            TestClock clock = TestClock.at(start);
            Tally.Builder builder = builder(new EnginePool.Config(profile(context).backend(), engineSettings(context),
                    start)).dataDir(dir).clock(clock);
            customizer.accept(builder);
            Tally tally;
            try {
                tally = builder.build();
            } catch (RuntimeException e) {
                deleteRecursively(dir);
                throw e;
            }
            return new Fixture(tally, clock, () -> {
                try {
                    tally.close();
                } finally {
                    deleteRecursively(dir);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run's engine pool in the root store: closed (pending closes awaited) when the run ends. */
    private record PoolResource(EnginePool pool) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            pool.close();
        }
    }

    /** The schema locations this extension applies; {@link PerTest} adds those of {@link TallyTest}. */
    List<String> schemaLocations(ExtensionContext context) {
        return schemas;
    }

    /** The metric locations this extension applies; {@link PerTest} adds those of {@link TallyTest}. */
    List<String> metricLocations(ExtensionContext context) {
        return metrics;
    }

    private static Fixture findFixture(ExtensionContext context) {
        return context.getStore(NS).get(Fixture.class, Fixture.class);
    }

    /** What {@link TallyTest} registers: always a fresh engine per test, even for class-level callbacks. */
    public static final class PerTest extends TallyExtension {
        /** Per test only; the pool starts opening the first test's engine now, while JUnit prepares the class. */
        @Override
        public void beforeAll(ExtensionContext context) {
            prepare(context);
        }

        @Override
        TallyTest.Profile profile(ExtensionContext context) {
            return annotation(context).map(TallyTest::profile).orElse(TallyTest.Profile.LOCAL);
        }

        @Override
        List<String> schemaLocations(ExtensionContext context) {
            return annotation(context).map(a -> List.of(a.schemas())).orElse(List.of());
        }

        @Override
        List<String> metricLocations(ExtensionContext context) {
            return annotation(context).map(a -> List.of(a.metrics())).orElse(List.of());
        }

        /** The nearest {@link TallyTest}: on the test class, else on an enclosing class ({@code @Nested}). */
        private static Optional<TallyTest> annotation(ExtensionContext context) {
            return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), TallyTest.class,
                    context.getEnclosingTestClasses());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == Tally.class || type == TestClock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Fixture f = findFixture(e);
        if (f == null) {
            throw new ParameterResolutionException("no Tally is open in this context");
        }
        return p.getParameter().getType() == Tally.class ? f.tally : f.clock;
    }

    /** The engine of the current context (for use from an instance field). */
    public Tally tally(ExtensionContext context) {
        return findFixture(context).tally;
    }

    private record Fixture(Tally tally, TestClock clock, AutoCloseable disposal)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            disposal.close();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
