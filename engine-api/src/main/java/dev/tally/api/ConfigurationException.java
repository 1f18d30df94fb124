package dev.tally.api;

/** Tally could not start or be configured: a bad key, a missing backend, a locked data directory. */
public class ConfigurationException extends TallyException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
