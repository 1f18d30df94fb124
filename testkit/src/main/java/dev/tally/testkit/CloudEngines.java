package dev.tally.testkit;

import dev.tally.testkit.cloud.EmbeddedCloudStack;

import java.util.Map;

/**
 * Settings of a cloud test engine: the JVM's shared embedded stack, in a namespace no other engine has. A class of
 * its own so that local-only users never load the stack's classes (its servers are optional dependencies).
 */
final class CloudEngines {
    private CloudEngines() {
    }

    static Map<String, String> settings() {
        Map<String, String> settings = EmbeddedCloudStack.shared().settings();
        settings.put("tally.cloud.namespace", EmbeddedCloudStack.freshNamespace());
        return settings;
    }
}
