package dev.tally.testkit.cloud;

import dev.tally.Tally;
import dev.tally.testkit.contract.EngineContract;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The golden end-to-end scenario on the cloud profile (Kafka, Redis, PostgreSQL, S3 in this JVM): the same
 * answers as {@code LocalEngineContractTest}, each test in a namespace of its own on the shared stack (the same
 * one again when a test reopens the engine on its directory).
 */
class CloudEngineContractTest extends EngineContract {
    private static final Map<Path, String> NAMESPACES = new ConcurrentHashMap<>();

    @Override
    protected Tally.Builder configure(Tally.Builder builder, Path dir) {
        String namespace = NAMESPACES.computeIfAbsent(dir, d -> EmbeddedCloudStack.freshNamespace());
        return builder.backend("cloud").settings(EmbeddedCloudStack.shared().settingsFor(namespace, dir));
    }
}
