package dev.tally.spi;

/**
 * Creates a {@link Backend} by name. Implementations are listed in
 * {@code META-INF/services/dev.tally.spi.BackendProvider}; Tally discovers them with {@link java.util.ServiceLoader}
 * but selects exactly one by {@link #name()}, failing on an unknown name or on two providers with one name.
 */
public interface BackendProvider {

    /** Short lowercase name used in configuration, e.g. {@code local} or {@code cloud}. */
    String name();

    /** The Maven coordinates a user adds to get this provider; named in "backend not found" errors. */
    String artifact();

    Backend open(BackendConfig config);
}
