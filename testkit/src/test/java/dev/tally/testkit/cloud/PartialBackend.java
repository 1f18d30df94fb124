package dev.tally.testkit.cloud;

import dev.tally.spi.Backend;
import dev.tally.spi.Catalog;
import dev.tally.spi.DedupIndex;
import dev.tally.spi.EventLog;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.ResultCache;
import dev.tally.spi.StreamRuntime;
import dev.tally.spi.Warehouse;
import dev.tally.spi.WindowStore;

import java.util.ArrayList;
import java.util.List;

/**
 * Test only: some of the cloud backend's parts as a {@link Backend}, so a per-part contract suite runs against
 * exactly the part it checks (opened on its own server, without the rest of the stack); the parts it was not given
 * throw. Closing closes what it was given to close, newest first.
 */
public final class PartialBackend implements Backend {
    private EventLog eventLog;
    private DedupIndex dedup;
    private WindowStore windows;
    private Catalog catalog;
    private Warehouse warehouse;
    private ObjectStore objects;
    private ResultCache cache;
    private final List<AutoCloseable> resources = new ArrayList<>();

    public PartialBackend eventLog(EventLog part) {
        this.eventLog = part;
        return this;
    }

    public PartialBackend dedup(DedupIndex part) {
        this.dedup = part;
        return this;
    }

    public PartialBackend windows(WindowStore part) {
        this.windows = part;
        return this;
    }

    public PartialBackend catalog(Catalog part) {
        this.catalog = part;
        return this;
    }

    public PartialBackend warehouse(Warehouse part) {
        this.warehouse = part;
        return this;
    }

    public PartialBackend objects(ObjectStore part) {
        this.objects = part;
        return this;
    }

    public PartialBackend cache(ResultCache part) {
        this.cache = part;
        return this;
    }

    /** Closed by {@link #close()} (a connection the parts share, or a part itself). */
    public PartialBackend closing(AutoCloseable resource) {
        resources.add(0, resource);
        return this;
    }

    @Override
    public String name() {
        return "cloud";
    }

    @Override
    public EventLog eventLog() {
        return part(eventLog, "event log");
    }

    @Override
    public DedupIndex dedup() {
        return part(dedup, "dedup index");
    }

    @Override
    public WindowStore windows() {
        return part(windows, "window store");
    }

    @Override
    public Catalog catalog() {
        return part(catalog, "catalog");
    }

    @Override
    public Warehouse warehouse() {
        return part(warehouse, "warehouse");
    }

    @Override
    public ObjectStore objects() {
        return part(objects, "object store");
    }

    @Override
    public ResultCache cache() {
        return part(cache, "result cache");
    }

    @Override
    public StreamRuntime streams() {
        return part(null, "stream runtime");
    }

    private static <T> T part(T part, String what) {
        if (part == null) {
            throw new UnsupportedOperationException("this test backend has no " + what);
        }
        return part;
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + r, e);
            }
        }
    }
}
