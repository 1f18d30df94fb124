package dev.tally.api;

import java.util.List;

/** A metric query that cannot be answered as asked: unknown dimension, bad range, too many points. */
public class InvalidQueryException extends InvalidRequestException {
    public InvalidQueryException(String path, String message) {
        super(List.of(new Violation(path, "invalid_query", message)));
    }
}
