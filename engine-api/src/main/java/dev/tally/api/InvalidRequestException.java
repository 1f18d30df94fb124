package dev.tally.api;

import java.util.List;

/** The caller sent something Tally refuses; {@link #violations()} says what and where (HTTP 400). */
public class InvalidRequestException extends TallyException {
    private final List<Violation> violations;

    public InvalidRequestException(List<Violation> violations) {
        super(summary(violations));
        this.violations = List.copyOf(violations);
    }

    public InvalidRequestException(String path, String code, String message) {
        this(List.of(new Violation(path, code, message)));
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String summary(List<Violation> violations) {
        if (violations.isEmpty()) {
            return "invalid request";
        }
        Violation first = violations.get(0);
        String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
        return first.path() + ": " + first.message() + more;
    }
}
