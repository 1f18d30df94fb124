package dev.tally.cloud;

import dev.tally.api.ConfigurationException;
import dev.tally.spi.Aggregate;
import dev.tally.spi.BackendConfig;
import dev.tally.spi.Checkpoint;
import dev.tally.spi.LogPosition;
import dev.tally.spi.WindowKey;
import dev.tally.spi.WindowSize;
import dev.tally.spi.WindowStore;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Real-time windows in Redis, shared by every engine on the same Redis and namespace, laid out so that a query
 * reads one key per window:
 *
 * <ul>
 *   <li>{@code NS:metric:{project}:<metric>:<size>:<start>} — a hash per window: field = the dimension values
 *       ({@link WindowKey#dimensionsKey()}), value = the {@link Aggregate}'s bytes (the same bytes in every
 *       backend, so sketches merge across profiles);</li>
 *   <li>{@code NS:metric-index:{project}:<metric>:<size>} — a sorted set of the window starts that exist, so
 *       {@link #range} reads only existing windows (one {@code ZRANGEBYSCORE}, then pipelined
 *       {@code HGETALL}s);</li>
 *   <li>{@code NS:metric-version:{project}} — a counter bumped by every change to the project's windows;</li>
 *   <li>{@code NS:metric-series} — the set of (project, metric, size) series ever written, so expiry and rewind
 *       find every series without scanning the keyspace;</li>
 *   <li>{@code NS:checkpoint:<consumer>} — a hash: {@code position} = {@link LogPosition#encode()}, and one
 *       {@code wm:<project>} field per watermark.</li>
 * </ul>
 *
 * <p>{@link #putAll} writes the values, the index entries, the version bumps and the checkpoint in one
 * {@code MULTI}/{@code EXEC}: after any crash the stored values and the stored log position agree, and a replay
 * from that position rewrites the same whole-window values. {@link #expireBefore} and {@link #rewind} read the
 * affected starts under {@code WATCH} and delete them in one transaction, retried if another engine wrote
 * meanwhile. Window hashes and indexes also carry a real Redis TTL of {@code tally.windows.retention} (default
 * 24h) plus {@link #TTL_MARGIN}, refreshed by every write: a safety net for windows nobody expires; the engine's
 * own retention, on its clock, is what {@link #expireBefore} enforces.
 *
 * <p>The {@code {project}} hash tag keeps a project's windows in one Redis Cluster slot. Transactions spanning
 * several projects and the checkpoint need a single Redis (or one slot); see {@code docs/cloud-redis.md}.
 *
 * <p>Thread-safe: reads use the shared connection, writes run one transaction at a time.
 */
final class RedisWindowStore implements WindowStore {
    static final String RETENTION = "tally.windows.retention";
    /**
     * Added to the retention for the Redis TTL: a window is written until its end plus the allowed lateness, and
     * events may be slightly in the future, so a window's last write can come an hour or so after its start.
     */
    static final Duration TTL_MARGIN = Duration.ofHours(2);
    private static final String POSITION = "position";
    private static final String WATERMARK = "wm:";
    private static final char SEPARATOR = '\u001f';

    private final RedisConnection redis;
    private final long ttlMillis;
    private final byte[] seriesRegistry;

    RedisWindowStore(RedisConnection redis, BackendConfig config) {
        this.redis = redis;
        Duration retention = config.duration(RETENTION, Duration.ofHours(24));
        if (retention.isNegative() || retention.isZero()) {
            throw new ConfigurationException("setting '" + RETENTION + "' must be positive, got " + retention);
        }
        this.ttlMillis = retention.plus(TTL_MARGIN).toMillis();
        this.seriesRegistry = redis.key("metric-series");
    }

    /** One metric of one project at one window size: an index of starts plus a hash per start. */
    private record Series(String projectId, String metric, WindowSize size) {
        static Series of(WindowKey key) {
            return new Series(key.projectId(), key.metric(), key.size());
        }

        static Series decode(byte[] member) {
            String[] parts = utf8(member).split(String.valueOf(SEPARATOR), -1);
            return new Series(parts[0], parts[1], WindowSize.parse(parts[2]));
        }

        byte[] encode() {
            return bytes(projectId + SEPARATOR + metric + SEPARATOR + size.wireName());
        }

        String suffix() {
            return "{" + projectId + "}:" + metric + ":" + size.wireName();
        }
    }

    private byte[] windowKey(Series series, long start) {
        return redis.key("metric:" + series.suffix() + ":" + start);
    }

    private byte[] indexKey(Series series) {
        return redis.key("metric-index:" + series.suffix());
    }

    private byte[] versionKey(String projectId) {
        return redis.key("metric-version:{" + projectId + "}");
    }

    private byte[] checkpointKey(String consumer) {
        return redis.key("checkpoint:" + consumer);
    }

    @Override
    public void putAll(Map<WindowKey, Aggregate> values, Checkpoint checkpoint) {
        write(values, java.util.Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    /**
     * Stores whole-window values without touching any checkpoint: for a stream processor whose progress is
     * recorded separately ({@link #advanceCheckpoint}) once its values are written.
     */
    void putValues(Map<WindowKey, Aggregate> values) {
        if (!values.isEmpty()) {
            write(values, null);
        }
    }

    private void write(Map<WindowKey, Aggregate> values, Checkpoint checkpoint) {
        // Encoded before the transaction: the caller may go on changing its aggregates afterwards.
        Map<Series, Map<Long, Map<byte[], byte[]>>> grouped = new HashMap<>();
        for (Map.Entry<WindowKey, Aggregate> e : values.entrySet()) {
            WindowKey k = e.getKey();
            grouped.computeIfAbsent(Series.of(k), s -> new TreeMap<>())
                    .computeIfAbsent(k.start(), s -> new LinkedHashMap<>())
                    .put(bytes(k.dimensionsKey()), e.getValue().toBytes());
        }
        Map<byte[], byte[]> checkpointFields = checkpoint == null ? null : encode(checkpoint);
        redis.transaction(tx -> writes -> {
            Set<String> projects = new LinkedHashSet<>();
            for (Map.Entry<Series, Map<Long, Map<byte[], byte[]>>> s : grouped.entrySet()) {
                Series series = s.getKey();
                List<ScoredValue<byte[]>> starts = new ArrayList<>(s.getValue().size());
                for (Map.Entry<Long, Map<byte[], byte[]>> w : s.getValue().entrySet()) {
                    byte[] key = windowKey(series, w.getKey());
                    writes.hset(key, w.getValue());
                    writes.pexpire(key, ttlMillis);
                    starts.add(ScoredValue.just(w.getKey(), ascii(w.getKey())));
                }
                byte[] index = indexKey(series);
                writes.zadd(index, starts.toArray(ScoredValue[]::new));
                writes.pexpire(index, ttlMillis);
                writes.sadd(seriesRegistry, series.encode());
                projects.add(series.projectId());
            }
            projects.forEach(p -> writes.incr(versionKey(p)));
            if (checkpoint != null) {
                writeCheckpoint(writes, checkpoint.consumer(), checkpointFields);
            }
        });
    }

    /**
     * Raises the consumer's stored position to at least {@code reached} in each partition {@code reached} names;
     * other partitions and the watermarks stay. Atomic against concurrent writers ({@code WATCH}): the parallel
     * instances of a stream processor each advance the partitions they read without undoing the others'.
     */
    void advanceCheckpoint(String consumer, LogPosition reached) {
        byte[] key = checkpointKey(consumer);
        byte[] field = bytes(POSITION);
        redis.transaction(tx -> {
            redis.await(tx.watch(key));
            byte[] stored = redis.await(tx.hget(key, field));
            LogPosition current = stored == null ? LogPosition.NONE : LogPosition.parse(utf8(stored));
            LogPosition next = current;
            for (String partition : reached.partitionNames()) {
                if (reached.lastOffset(partition) > current.lastOffset(partition)) {
                    next = next.with(partition, reached.lastOffset(partition));
                }
            }
            if (stored != null && next.equals(current)) {
                return null;
            }
            byte[] encoded = bytes(next.encode());
            return writes -> writes.hset(key, field, encoded);
        });
    }

    private void writeCheckpoint(RedisAsyncCommands<byte[], byte[]> tx, String consumer, Map<byte[], byte[]> fields) {
        byte[] key = checkpointKey(consumer);
        tx.del(key);
        tx.hset(key, fields);
    }

    private static Map<byte[], byte[]> encode(Checkpoint checkpoint) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        // always present, so an empty checkpoint (no position, no watermarks) still exists
        fields.put(bytes(POSITION), bytes(checkpoint.position().encode()));
        checkpoint.watermarks().forEach((project, watermark) -> fields.put(bytes(WATERMARK + project), ascii(watermark)));
        return fields;
    }

    @Override
    public Optional<Aggregate> get(WindowKey key) {
        byte[] value = redis.await(redis.commands().hget(windowKey(Series.of(key), key.start()),
                bytes(key.dimensionsKey())));
        return Optional.ofNullable(value).map(Aggregate::fromBytes);
    }

    @Override
    public List<Window> range(String projectId, String metric, WindowSize size, long from, long to) {
        if (from >= to) {
            return List.of();
        }
        Series series = new Series(projectId, metric, size);
        List<byte[]> starts = redis.await(redis.commands().zrangebyscore(indexKey(series), Long.toString(from),
                "(" + to));
        List<RedisFuture<Map<byte[], byte[]>>> reads = new ArrayList<>(starts.size());
        for (byte[] start : starts) {
            reads.add(redis.commands().hgetall(windowKey(series, Long.parseLong(utf8(start)))));
        }
        List<Map<byte[], byte[]>> hashes = redis.awaitAll(reads);
        List<Window> out = new ArrayList<>(starts.size());
        for (int i = 0; i < starts.size(); i++) {
            Map<byte[], byte[]> hash = hashes.get(i);
            if (hash.isEmpty()) {
                continue; // dropped by its safety-net TTL while its index entry lived on
            }
            Map<List<String>, Aggregate> window = new HashMap<>(hash.size() * 2);
            hash.forEach((field, value) -> window.put(WindowKey.decodeDimensions(utf8(field)), Aggregate.fromBytes(value)));
            out.add(new Window(Long.parseLong(utf8(starts.get(i))), window));
        }
        return out;
    }

    @Override
    public Optional<Checkpoint> checkpoint(String consumer) {
        Map<byte[], byte[]> fields = redis.await(redis.commands().hgetall(checkpointKey(consumer)));
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        LogPosition position = LogPosition.NONE;
        Map<String, Long> watermarks = new HashMap<>();
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            String name = utf8(f.getKey());
            if (name.equals(POSITION)) {
                position = LogPosition.parse(utf8(f.getValue()));
            } else if (name.startsWith(WATERMARK)) {
                watermarks.put(name.substring(WATERMARK.length()), Long.parseLong(utf8(f.getValue())));
            }
        }
        return Optional.of(new Checkpoint(consumer, position, watermarks));
    }

    @Override
    public long version(String projectId) {
        byte[] value = redis.await(redis.commands().get(versionKey(projectId)));
        return value == null ? 0 : Long.parseLong(utf8(value));
    }

    @Override
    public void expireBefore(Instant cutoff) {
        dropWindows("-inf", "(" + cutoff.toEpochMilli(), null);
    }

    @Override
    public void rewind(Instant from, Checkpoint checkpoint) {
        dropWindows(Long.toString(from.toEpochMilli()), "+inf", checkpoint);
    }

    /**
     * Deletes, in every series, the windows whose start is within the score range {@code min..max} (Redis
     * {@code ZRANGEBYSCORE} syntax), bumps the affected projects' versions and, when given, stores a checkpoint,
     * all in one transaction. The series registry and the indexes are watched while the starts are read, so a
     * concurrent write by another engine makes the transaction start over instead of leaving a window behind.
     */
    private void dropWindows(String min, String max, Checkpoint checkpoint) {
        Map<byte[], byte[]> checkpointFields = checkpoint == null ? null : encode(checkpoint);
        redis.transaction(tx -> {
            redis.await(tx.watch(seriesRegistry));
            List<Series> all = redis.await(tx.smembers(seriesRegistry)).stream().map(Series::decode).toList();
            if (!all.isEmpty()) {
                redis.await(tx.watch(all.stream().map(this::indexKey).toArray(byte[][]::new)));
            }
            List<RedisFuture<List<byte[]>>> reads = new ArrayList<>(all.size());
            for (Series series : all) {
                reads.add(tx.zrangebyscore(indexKey(series), min, max));
            }
            List<List<byte[]>> starts = redis.awaitAll(reads);
            boolean anything = starts.stream().anyMatch(s -> !s.isEmpty());
            if (!anything && checkpoint == null) {
                return null;
            }
            return writes -> {
                Set<String> projects = new LinkedHashSet<>();
                for (int i = 0; i < all.size(); i++) {
                    List<byte[]> dropped = starts.get(i);
                    if (dropped.isEmpty()) {
                        continue;
                    }
                    Series series = all.get(i);
                    writes.del(dropped.stream().map(s -> windowKey(series, Long.parseLong(utf8(s))))
                            .toArray(byte[][]::new));
                    writes.zrem(indexKey(series), dropped.toArray(byte[][]::new));
                    projects.add(series.projectId());
                }
                projects.forEach(p -> writes.incr(versionKey(p)));
                if (checkpoint != null) {
                    writeCheckpoint(writes, checkpoint.consumer(), checkpointFields);
                }
            };
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
