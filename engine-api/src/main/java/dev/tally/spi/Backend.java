package dev.tally.spi;

/**
 * One set of storage and stream components the engine runs on. Opening may start threads and take file
 * locks; {@link #close()} releases them. Implementations are thread-safe.
 */
public interface Backend extends AutoCloseable {

    String name();

    EventLog eventLog();

    DedupIndex dedup();

    WindowStore windows();

    Catalog catalog();

    Warehouse warehouse();

    ObjectStore objects();

    ResultCache cache();

    StreamRuntime streams();

    @Override
    void close();
}
