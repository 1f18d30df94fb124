package dev.tally.cloud;

import dev.tally.api.TallyException;

/** A cloud store failed in a way the caller cannot fix (the store is down, refused a write, …). */
public class CloudStorageException extends TallyException {
    public CloudStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public CloudStorageException(String message) {
        super(message);
    }
}
