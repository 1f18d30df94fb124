package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.testkit.contract.EngineContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The golden end-to-end scenario on the cloud profile with the Flink runtime: every engine's leader runs the
 * aggregation job ({@code tally.flink.mode=remote}, parallelism 2) on one MiniCluster shared by the class, and the
 * answers are those of {@code LocalEngineContractTest} and {@code CloudEngineContractTest}.
 */
class FlinkEngineContractTest extends EngineContract {
    private static final Map<Path, String> NAMESPACES = new ConcurrentHashMap<>();
    private static FlinkTestCluster flink;

    @BeforeAll
    static void startFlink() throws Exception {
        flink = FlinkTestCluster.start(1, 4);
    }

    @AfterAll
    static void stopFlink() throws Exception {
        flink.close();
    }

    @Override
    protected Tally.Builder configure(Tally.Builder builder, Path dir) {
        String namespace = NAMESPACES.computeIfAbsent(dir, d -> EmbeddedCloudStack.freshNamespace());
        Map<String, String> settings = EmbeddedCloudStack.shared().settingsFor(namespace, dir);
        settings.putAll(flink.remoteMode());
        return builder.backend("cloud").settings(settings);
    }
}
