package dev.tally.local;

import dev.tally.api.TallyException;

import java.sql.SQLException;

/** A local store (H2, the object directory) failed. */
public class LocalStorageException extends TallyException {
    public LocalStorageException(SQLException cause) {
        super("local database error: " + cause.getMessage(), cause);
    }

    public LocalStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
