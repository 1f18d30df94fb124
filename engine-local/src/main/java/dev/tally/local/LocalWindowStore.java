package dev.tally.local;

import dev.tally.spi.Aggregate;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.spi.WindowStore;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Real-time windows held in memory for reads (so queries see a flush at once) and written to H2 in the same
 * transaction as the consumer's checkpoint, so that after any crash the stored values and the stored log
 * position agree. Loaded back into memory at open. Each window's map is replaced, never mutated, so readers
 * see whole flushes. Thread-safe.
 */
final class LocalWindowStore implements WindowStore {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Long>> WATERMARKS = new TypeReference<>() { };

    private final H2Database db;
    private final Map<Series, NavigableMap<Long, Map<List<String>, Aggregate>>> series = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();

    LocalWindowStore(H2Database db) {
        this.db = db;
        load();
    }

    private record Series(String projectId, String metric, WindowSize size) {
    }

    @Override
    public void putAll(Map<WindowKey, Aggregate> values, Checkpoint checkpoint) {
        db.inTransaction(c -> {
            if (!values.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("MERGE INTO realtime_windows(project_id, metric_name, "
                        + "granularity, window_start, dimensions, state) KEY (project_id, metric_name, granularity, "
                        + "window_start, dimensions) VALUES (?, ?, ?, ?, ?, ?)")) {
                    for (Map.Entry<WindowKey, Aggregate> e : values.entrySet()) {
                        WindowKey k = e.getKey();
                        ps.setString(1, k.projectId());
                        ps.setString(2, k.metric());
                        ps.setString(3, k.size().wireName());
                        ps.setLong(4, k.start());
                        ps.setString(5, k.dimensionsKey());
                        ps.setBytes(6, e.getValue().toBytes());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            H2Database.saveCheckpoint(c, checkpoint);
            return null;
        });
        Map<WindowKey, Aggregate> copies = new HashMap<>(values.size() * 2);
        values.forEach((k, v) -> copies.put(k, v.copy()));
        publish(copies);
    }

    private void publish(Map<WindowKey, Aggregate> values) {
        Map<Series, Map<Long, Map<List<String>, Aggregate>>> grouped = new HashMap<>();
        for (Map.Entry<WindowKey, Aggregate> e : values.entrySet()) {
            WindowKey k = e.getKey();
            grouped.computeIfAbsent(new Series(k.projectId(), k.metric(), k.size()), s -> new HashMap<>())
                    .computeIfAbsent(k.start(), s -> new HashMap<>())
                    .put(k.dimensions(), e.getValue());
        }
        for (Map.Entry<Series, Map<Long, Map<List<String>, Aggregate>>> g : grouped.entrySet()) {
            NavigableMap<Long, Map<List<String>, Aggregate>> windows =
                    series.computeIfAbsent(g.getKey(), s -> new ConcurrentSkipListMap<>());
            for (Map.Entry<Long, Map<List<String>, Aggregate>> w : g.getValue().entrySet()) {
                Map<List<String>, Aggregate> previous = windows.get(w.getKey());
                Map<List<String>, Aggregate> next = previous == null ? new HashMap<>() : new HashMap<>(previous);
                next.putAll(w.getValue());
                windows.put(w.getKey(), Collections.unmodifiableMap(next));
            }
            versions.computeIfAbsent(g.getKey().projectId(), p -> new AtomicLong()).incrementAndGet();
        }
    }

    @Override
    public Optional<Aggregate> get(WindowKey key) {
        NavigableMap<Long, Map<List<String>, Aggregate>> windows =
                series.get(new Series(key.projectId(), key.metric(), key.size()));
        if (windows == null) {
            return Optional.empty();
        }
        Map<List<String>, Aggregate> w = windows.get(key.start());
        return w == null ? Optional.empty() : Optional.ofNullable(w.get(key.dimensions())).map(Aggregate::copy);
    }

    @Override
    public List<Window> range(String projectId, String metric, WindowSize size, long from, long to) {
        NavigableMap<Long, Map<List<String>, Aggregate>> windows = series.get(new Series(projectId, metric, size));
        if (windows == null) {
            return List.of();
        }
        List<Window> out = new ArrayList<>();
        for (Map.Entry<Long, Map<List<String>, Aggregate>> e : windows.subMap(from, true, to, false).entrySet()) {
            out.add(new Window(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public Optional<Checkpoint> checkpoint(String consumer) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT position, watermarks FROM consumer_checkpoints WHERE consumer = ?")) {
                ps.setString(1, consumer);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Checkpoint(consumer, LogPosition.parse(rs.getString(1)),
                            JSON.readValue(rs.getString(2), WATERMARKS)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public long version(String projectId) {
        AtomicLong v = versions.get(projectId);
        return v == null ? 0 : v.get();
    }

    @Override
    public void expireBefore(Instant cutoff) {
        long millis = cutoff.toEpochMilli();
        db.inTransaction(c -> deleteWindows(c, "window_start < ?", millis));
        forget(windows -> windows.headMap(millis, false));
    }

    @Override
    public void rewind(Instant from, Checkpoint checkpoint) {
        long millis = from.toEpochMilli();
        db.inTransaction(c -> {
            deleteWindows(c, "window_start >= ?", millis);
            H2Database.saveCheckpoint(c, checkpoint);
            return null;
        });
        forget(windows -> windows.tailMap(millis, true));
    }

    private static int deleteWindows(Connection c, String condition, long millis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM realtime_windows WHERE " + condition)) {
            ps.setLong(1, millis);
            return ps.executeUpdate();
        }
    }

    /** Clears the part of each series' in-memory windows that {@code part} selects, bumping versions. */
    private void forget(UnaryOperator<NavigableMap<Long, Map<List<String>, Aggregate>>> part) {
        for (Map.Entry<Series, NavigableMap<Long, Map<List<String>, Aggregate>>> e : series.entrySet()) {
            NavigableMap<Long, Map<List<String>, Aggregate>> dropped = part.apply(e.getValue());
            if (!dropped.isEmpty()) {
                dropped.clear();
                versions.computeIfAbsent(e.getKey().projectId(), p -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    private void load() {
        Map<WindowKey, Aggregate> stored = db.read(c -> {
            Map<WindowKey, Aggregate> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT project_id, metric_name, granularity, window_start, "
                    + "dimensions, state FROM realtime_windows");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new WindowKey(rs.getString(1), rs.getString(2), WindowSize.parse(rs.getString(3)),
                            rs.getLong(4), WindowKey.decodeDimensions(rs.getString(5))), Aggregate.fromBytes(rs.getBytes(6)));
                }
            }
            return out;
        });
        publish(stored);
    }
}
