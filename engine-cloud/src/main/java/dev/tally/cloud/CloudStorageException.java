package dev.tally.cloud;

import dev.tally.api.BackendUnavailableException;

/** A cloud store failed in a way the caller cannot fix (down, unreachable, refused a write): retry later (503). */
public class CloudStorageException extends BackendUnavailableException {
    public CloudStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public CloudStorageException(String message) {
        super(message, null);
    }
}
