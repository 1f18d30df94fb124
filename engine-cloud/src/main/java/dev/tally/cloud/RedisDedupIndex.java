package dev.tally.cloud;

import dev.tally.spi.BackendConfig;
import dev.tally.spi.DedupIndex;
import io.lettuce.core.RedisFuture;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The dedup index in Redis, shared by every engine that points at the same Redis and namespace: an id one engine
 * marked is a duplicate for all of them, which is what "global across server instances" asks.
 *
 * <p>One key per id, {@code NS:dedup:{projectId}:eventId}, whose value is the id's expiry in epoch milliseconds.
 * {@link #markIfAbsent} runs one Lua script per chunk of ids (all chunks pipelined, so a batch costs about one
 * round trip): for each id, in order, an entry whose stored expiry is after "now" is present; anything else is
 * absent and gets set to the new expiry. "Now" is the engine clock, passed in by the caller, never the server's
 * wall clock, so tests that move a {@code TestClock} see ids expire exactly when the contract says. Each key also
 * gets a real Redis TTL ({@code PX}) of the remaining engine-clock time plus {@link #TTL_MARGIN_MILLIS}: a
 * garbage-collection safety net that can only delete an entry after it stopped counting.
 *
 * <p>The {@code {projectId}} hash tag keeps one project's ids in one Redis Cluster slot, so a script over many of
 * a project's keys stays valid on a cluster. Memory: about 80-100 bytes per id (key, value, TTL) on Redis 6/7.
 *
 * <p>Thread-safe. A Redis failure surfaces as a {@link CloudStorageException}.
 */
final class RedisDedupIndex implements DedupIndex {
    /** Ids per script call: large enough to amortize the call, small enough never to block Redis for long. */
    static final int CHUNK = 1_000;
    /** Extra real time a key outlives its engine-clock expiry (clock skew between engines, a slow batch). */
    static final long TTL_MARGIN_MILLIS = 60_000;

    // KEYS: one per id. ARGV[1] = now, ARGV[2] = expiry (epoch ms, engine clock), ARGV[3] = TTL in ms.
    // Answers one character per id: '1' when it was absent (and is now marked), '0' when present (or repeated in
    // this call). One MGET reads every mark, so a new id costs Redis one SET and a known one nothing more: the
    // script's calls, not the network, bound dedup throughput on a busy Redis.
    private static final String MARK = """
            local now = tonumber(ARGV[1])
            local stored = redis.call('MGET', unpack(KEYS))
            local answers = {}
            local marked = {}
            for i, key in ipairs(KEYS) do
              local s = stored[i]
              if marked[key] or (s and tonumber(s) > now) then
                answers[i] = '0'
              else
                redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
                marked[key] = true
                answers[i] = '1'
              end
            end
            return table.concat(answers)
            """;

    private final RedisConnection redis;
    private final InstantSource clock;
    private final RedisScript mark;

    RedisDedupIndex(RedisConnection redis, BackendConfig config) {
        this.redis = redis;
        this.clock = config.clock();
        this.mark = new RedisScript(redis, MARK);
    }

    private byte[] key(String projectId, String eventId) {
        return redis.key("dedup:{" + projectId + "}:" + eventId);
    }

    @Override
    public boolean[] markIfAbsent(String projectId, List<String> eventIds, Instant expiresAt) {
        boolean[] absent = new boolean[eventIds.size()];
        if (eventIds.isEmpty()) {
            return absent;
        }
        long now = clock.millis();
        long expiry = expiresAt.toEpochMilli();
        long ttl = Math.max(expiry - now, 0) + TTL_MARGIN_MILLIS;
        byte[][] args = {ascii(now), ascii(expiry), ascii(ttl)};
        List<RedisScript.Call> calls = keyChunks(projectId, eventIds).stream()
                .map(keys -> new RedisScript.Call(keys, args))
                .toList();
        int i = 0;
        for (byte[] answer : mark.run(calls)) {
            for (byte b : answer) {
                absent[i++] = b == '1';
            }
        }
        if (i != absent.length) {
            throw new CloudStorageException("Redis at " + redis.endpoint() + " answered " + i + " dedup marks for "
                    + absent.length + " ids");
        }
        return absent;
    }

    @Override
    public void unmark(String projectId, List<String> eventIds) {
        List<RedisFuture<Long>> deletes = new ArrayList<>();
        for (byte[][] keys : keyChunks(projectId, eventIds)) {
            deletes.add(redis.commands().del(keys));
        }
        redis.awaitAll(deletes);
    }

    @Override
    public boolean contains(String projectId, String eventId) {
        byte[] stored = redis.awaitAll(List.of(redis.commands().get(key(projectId, eventId)))).get(0);
        if (stored == null) {
            return false;
        }
        try {
            return Long.parseLong(new String(stored, StandardCharsets.US_ASCII)) > clock.millis();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The ids' keys in chunks of at most {@link #CHUNK}, in order. */
    private List<byte[][]> keyChunks(String projectId, List<String> eventIds) {
        List<byte[][]> chunks = new ArrayList<>(eventIds.size() / CHUNK + 1);
        for (int from = 0; from < eventIds.size(); from += CHUNK) {
            List<String> chunk = eventIds.subList(from, Math.min(from + CHUNK, eventIds.size()));
            byte[][] keys = new byte[chunk.size()][];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = key(projectId, chunk.get(i));
            }
            chunks.add(keys);
        }
        return chunks;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
