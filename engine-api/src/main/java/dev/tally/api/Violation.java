package dev.tally.api;

import java.util.Objects;

/**
 * One reason an input was refused.
 *
 * @param path    where, in dotted form from the event root: {@code properties.amount}, {@code timestamp}
 * @param code    a stable machine-readable code: {@code required}, {@code type}, {@code too_long}, ...
 * @param message a sentence for humans
 */
public record Violation(String path, String code, String message) {
    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + " [" + code + "]: " + message;
    }
}
