package dev.tally.api;

import java.util.List;

/** A JSON Schema submitted for registration is malformed or uses a feature Tally refuses (e.g. a remote $ref). */
public class InvalidSchemaException extends InvalidRequestException {
    public InvalidSchemaException(List<Violation> violations) {
        super(violations);
    }
}
