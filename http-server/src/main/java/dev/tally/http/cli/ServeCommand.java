package dev.tally.http.cli;

import dev.tally.Tally;
import dev.tally.http.ServerSettings;
import dev.tally.http.TallyServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@code tally serve}: opens the engine, serves it over HTTP until SIGTERM/Ctrl-C, then stops gracefully
 * (in-flight requests answered, engine closed: nothing acknowledged is lost).
 *
 * <p>Settings, strongest first: this command's options, {@code -Dtally.*} system properties, {@code TALLY_*}
 * environment variables (HTTP settings such as {@code TALLY_ADMIN_KEY}), the {@code --config} file.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves Tally over HTTP until stopped (SIGTERM or Ctrl-C stop it gracefully).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port to listen on, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;



    @Mixin
    EngineOptions engine;

    @Option(names = "--host", description = "address to listen on (default: tally.http.host or 0.0.0.0)")
    String host;

    /** {@code tally.flink.mode}: {@code embedded} when serving the cloud profile and not set otherwise. */
    static final String FLINK_MODE = "tally.flink.mode";

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile TallyServer server;
    private Consumer<TallyServer> onStarted = s -> { };

    /** Test hook: called once the server listens. */
    void onStarted(Consumer<TallyServer> listener) {
        this.onStarted = listener;
    }

    @Override
    public Integer call() {
        Map<String, String> settings = engine.settings(
                spec.commandLine().getParseResult().hasMatchedOption("--data-dir"));
        Map<String, String> flags = new LinkedHashMap<>();
        if (host != null) {
            flags.put("tally.http.host", host);
        }
        settings.putAll(flags);
        ServerSettings layered = ServerSettings.layered(System::getProperty, System::getenv, ServerSettings.of(settings));
        ServerSettings serverSettings = key -> flags.containsKey(key) ? flags.get(key) : layered.get(key);
        serverSettings.validate();

        Map<String, String> engineSettings = new LinkedHashMap<>(settings);
        engineSettings.remove("tally.admin-key"); // the engine has no use for the server's secret
        if ("cloud".equals(engine.profile()) && !engineSettings.containsKey("tally.aggregator.runtime")) {
            // A served cloud profile aggregates with Flink (a MiniCluster in the leader) unless told otherwise.
            engineSettings.putIfAbsent(FLINK_MODE, "embedded");
        }
        Tally tally = Tally.builder().backend(engine.profile()).settings(engineSettings).build();
        TallyServer s;
        int bound;
        try {
            s = TallyServer.builder(tally).settings(serverSettings).build();
            bound = s.start(port);
        } catch (RuntimeException e) {
            tally.close();
            throw e;
        }
        server = s;
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Tally (%s profile, data in %s) serving http://%s:%d%n", engine.profile(),
                settings.get("tally.data-dir"), serverSettings.host(), bound);
        if (serverSettings.adminKey().isEmpty()) {
            out.println("No server admin key (TALLY_ADMIN_KEY): POST /v1/projects is refused; "
                    + "'tally create-project' makes projects offline.");
        }
        out.flush();
        Thread hook = new Thread(this::shutdown, "tally-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        onStarted.accept(s);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is what stopped us
        }
        return TallyCli.OK;
    }

    /** Stops the server gracefully (what SIGTERM does) and lets {@link #call()} return. */
    void shutdown() {
        try {
            TallyServer s = server;
            if (s != null) {
                s.stop();
            }
        } finally {
            stopped.countDown();
        }
    }
}
