package dev.tally.cloud;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A Lua script run with {@code EVALSHA}, so a call sends the script's 40-character digest instead of its body.
 * Redis forgets loaded scripts on a restart (or {@code SCRIPT FLUSH}); a call that finds its script missing
 * ({@code NOSCRIPT}) loads it and runs again. Thread-safe.
 */
final class RedisScript {
    private final RedisConnection redis;
    private final byte[] body;
    private final String digest;

    RedisScript(RedisConnection redis, String body) {
        this.redis = redis;
        this.body = body.getBytes(StandardCharsets.UTF_8);
        this.digest = redis.commands().digest(this.body);
        load();
    }

    /** One call: {@code keys} and {@code args} per invocation, sent as one pipeline; answers in order. */
    record Call(byte[][] keys, byte[][] args) {
    }

    /**
     * Runs the script once per call, pipelined on the shared connection, and returns each call's answer (a bulk
     * string) in order. Calls run one after another on the server, so a later call sees an earlier one's writes.
     *
     * <p>Calls that found the script missing ({@code NOSCRIPT}: Redis restarted and lost its script cache) changed
     * nothing; they are sent again, in order, after loading the script. Another client may have loaded it while
     * the pipeline was in flight, so a later call can have succeeded where an earlier one failed; only the failed
     * ones are repeated.
     */
    List<byte[]> run(List<Call> calls) {
        byte[][] answers = new byte[calls.size()][];
        List<Integer> pending = IntStream.range(0, calls.size()).boxed().toList();
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<RedisFuture<byte[]>> futures = new ArrayList<>(pending.size());
            for (int i : pending) {
                Call call = calls.get(i);
                futures.add(redis.commands().evalsha(digest, ScriptOutputType.VALUE, call.keys(), call.args()));
            }
            List<Integer> missing = new ArrayList<>();
            RedisNoScriptException noScript = null;
            redis.countRoundTrip();
            for (int f = 0; f < futures.size(); f++) {
                try {
                    answers[pending.get(f)] = redis.awaitPipelined(futures.get(f));
                } catch (RedisNoScriptException e) {
                    missing.add(pending.get(f));
                    noScript = e;
                }
            }
            if (noScript != null) {
                if (attempt > 0) {
                    throw redis.failure(noScript);
                }
                load();
            }
            pending = missing;
        }
        return List.of(answers);
    }

    /** Loads the script into Redis's script cache. */
    void load() {
        redis.await(redis.commands().scriptLoad(body));
    }
}
