package dev.tally.testkit.contract;

import dev.tally.spi.Aggregate;
import dev.tally.spi.Backend;
import dev.tally.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The fixture every per-part contract suite ({@link EventLogContract}, {@link DedupIndexContract},
 * {@link WindowStoreContract}, {@link CatalogContract}, {@link WarehouseContract}, {@link ObjectStoreContract},
 * {@link ResultCacheContract}) shares: a fresh temporary directory and a {@link TestClock} per test, and the
 * backend under test opened on them before each test and closed after it.
 *
 * <p>A backend runs a suite with one small subclass that implements {@link #openBackend(Path, TestClock)}.
 * The method is called again on the same directory by {@link #reopenBackend()}, so a durability case can
 * close the backend cleanly and check what a new instance sees. Backends that keep their state elsewhere
 * (a container, a cloud account) should scope it by the directory or a name derived from it, so that each
 * test starts empty.
 *
 * <p>Tests run single-threaded per instance; the fields are not meant to be shared across tests.
 */
public abstract class BackendContract {

    /** A fresh directory per test; the backend's data lives here. */
    @TempDir
    protected Path dir;

    /** The clock the backend is opened with; starts at {@link TestClock#DEFAULT_START}, moves only when told. */
    protected TestClock clock;

    /** The backend under test, open during each test. */
    protected Backend backend;

    /**
     * Opens the backend under test on {@code dir}, reading time from {@code clock}. Called once before each
     * test and again, on the same directory, by {@link #reopenBackend()}.
     */
    protected abstract Backend openBackend(Path dir, TestClock clock);

    @BeforeEach
    void openBackendUnderTest() {
        clock = TestClock.create();
        backend = openBackend(dir, clock);
    }

    @AfterEach
    void closeBackendUnderTest() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    /**
     * Closes the backend cleanly and opens a new instance on the same directory and clock, as a restart
     * would. Returns the new instance, which is also in {@link #backend}.
     */
    protected final Backend reopenBackend() {
        Backend current = backend;
        backend = null;
        current.close();
        backend = openBackend(dir, clock);
        return backend;
    }

    /** Asserts that two aggregates hold the same state: counts, sum, extremes and the distinct-user estimate. */
    protected static void assertSameAggregate(Aggregate actual, Aggregate expected) {
        assertThat(actual.count()).as("count").isEqualTo(expected.count());
        assertThat(actual.valued()).as("valued").isEqualTo(expected.valued());
        assertThat(actual.sum()).as("sum").isEqualTo(expected.sum());
        assertThat(actual.min()).as("min").isEqualTo(expected.min());
        assertThat(actual.max()).as("max").isEqualTo(expected.max());
        assertThat(actual.distinctUsers()).as("distinct users").isCloseTo(expected.distinctUsers(), within(1e-9));
    }

    /** An aggregate of {@code values.length} events carrying those values, seen from {@code users} users. */
    protected static Aggregate aggregate(int users, double... values) {
        Aggregate a = Aggregate.empty();
        for (double v : values) {
            a.addEvent();
            a.addValue(v);
        }
        for (int u = 0; u < users; u++) {
            a.addUser("user-" + u);
        }
        return a;
    }
}
