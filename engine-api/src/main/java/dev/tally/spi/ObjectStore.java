package dev.tally.spi;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Immutable blobs by key ({@code a/b/c.parquet}: lowercase-safe segments, no {@code ..}). A put becomes
 * visible atomically and completely, never partially. Thread-safe.
 */
public interface ObjectStore {

    void put(String key, byte[] content);

    /**
     * Publishes a local file's content under {@code key} (atomically, like {@link #put}); large files are
     * streamed, never held in memory. The source file is consumed: it may be moved rather than copied.
     */
    void putFile(String key, Path source);

    Optional<byte[]> get(String key);

    /**
     * Opens an object for positioned reads (what columnar readers need: the footer first, then the column
     * chunks they want).
     *
     * @throws java.nio.file.NoSuchFileException when the object does not exist
     */
    SeekableByteChannel open(String key) throws IOException;

    /**
     * The object as a file on this machine, when the store keeps objects as files (so readers such as an
     * embedded SQL engine can read in place); empty for remote stores.
     */
    default Optional<Path> localFile(String key) {
        return Optional.empty();
    }

    /** Objects whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /** Moves an object (e.g. hot to cold prefix); the target appears atomically. */
    void move(String fromKey, String toKey);

    /** Deletes an object; deleting a missing key is not an error. */
    void delete(String key);

    record ObjectInfo(String key, long size, Instant lastModified) {
    }
}
