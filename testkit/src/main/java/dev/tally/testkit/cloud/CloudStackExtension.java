package dev.tally.testkit.cloud;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;


/**
 * Injects the JVM's shared {@link EmbeddedCloudStack} as a parameter (the first test class that asks starts it;
 * every later class reuses it; it stops when the JVM exits). Use it through
 * {@link CloudStackTest}, and give each test its own namespace ({@link EmbeddedCloudStack#freshNamespace()}) so
 * tests never see each other's data.
 */
public final class CloudStackExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedCloudStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    /** The JVM's shared stack ({@link EmbeddedCloudStack#shared()}), started on first use. */
    public static EmbeddedCloudStack stack(ExtensionContext context) {
        return EmbeddedCloudStack.shared();
    }
}
