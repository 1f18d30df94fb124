package dev.tally.testkit;

/**
 * A schema or metric file from the test resources could not be read or was refused by the engine. The
 * message starts with the resource name (e.g. {@code schemas/purchase.json}) so a failing test points at the
 * file to fix, not at the extension.
 */
public final class TestResourceException extends RuntimeException {
    private final String resource;

    public TestResourceException(String resource, String problem, Throwable cause) {
        super(resource + ": " + problem, cause);
        this.resource = resource;
    }

    /** The classpath resource at fault, as named in the test ({@code metrics/revenue.json}). */
    public String resource() {
        return resource;
    }
}
