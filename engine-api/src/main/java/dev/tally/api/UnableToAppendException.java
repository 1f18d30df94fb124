package dev.tally.api;

/** The event log refused a write; nothing of the failed batch was acknowledged. */
public class UnableToAppendException extends TallyException {
    private final String backend;

    public UnableToAppendException(String backend, Throwable cause) {
        super("could not append to the " + backend + " event log: " + cause.getMessage(), cause);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
