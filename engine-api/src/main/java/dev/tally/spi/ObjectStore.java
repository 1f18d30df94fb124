package dev.tally.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Immutable blobs by key ({@code a/b/c.parquet}: lowercase-safe segments, no {@code ..}). A put becomes
 * visible atomically and completely, never partially. Thread-safe.
 */
public interface ObjectStore {

    void put(String key, byte[] content);

    Optional<byte[]> get(String key);

    /** Objects whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /** Moves an object (e.g. hot to cold prefix); the target appears atomically. */
    void move(String fromKey, String toKey);

    /** Deletes an object; deleting a missing key is not an error. */
    void delete(String key);

    record ObjectInfo(String key, long size, Instant lastModified) {
    }
}
