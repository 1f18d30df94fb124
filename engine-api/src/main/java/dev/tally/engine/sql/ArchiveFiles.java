package dev.tally.engine.sql;

import dev.tally.api.BackendUnavailableException;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.Warehouse.ArchivedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Local paths of archive files for DuckDB: the object store's own file when it keeps objects as files, else a
 * copy in a cache directory, fetched through {@link ObjectStore#open} once per key and size (committed files
 * never change under a key, so that identifies the content). The cache lives until {@link #close}.
 * Thread-safe: concurrent fetches of one key each write a temporary file and rename it into place.
 */
final class ArchiveFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveFiles.class);

    private final ObjectStore objects;
    private final Path configuredDir;
    private Path dir;

    ArchiveFiles(ObjectStore objects, Path cacheDir) {
        this.objects = objects;
        this.configuredDir = cacheDir;
    }

    /** Local paths of {@code files} by key, in order. */
    Map<String, Path> local(List<ArchivedFile> files) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (ArchivedFile f : files) {
            out.put(f.key(), objects.localFile(f.key()).orElseGet(() -> cached(f)));
        }
        return out;
    }

    private Path cached(ArchivedFile f) {
        try {
            Path target = cacheDir().resolve(f.key().replace('/', '_') + "-" + f.bytes() + ".parquet");
            if (Files.isRegularFile(target) && Files.size(target) == f.bytes()) {
                return target;
            }
            Path tmp = target.resolveSibling(".tmp-" + UUID.randomUUID());
            try (SeekableByteChannel in = objects.open(f.key());
                 FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                while (in.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot fetch archive file " + f.key() + " for SQL: " + e.getMessage(), e);
        }
    }

    private synchronized Path cacheDir() throws IOException {
        if (dir == null) {
            dir = configuredDir != null ? Files.createDirectories(configuredDir.resolve("tally-sql-cache"))
                    : Files.createTempDirectory("tally-sql-cache-");
        }
        return dir;
    }

    /** Roots whose text must not reach callers in messages: the cache directory, if one was made. */
    synchronized List<Path> privateDirs() {
        return dir == null ? List.of() : List.of(dir);
    }

    @Override
    public synchronized void close() {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove the SQL cache directory {}: {}", dir, e.toString());
        }
        dir = null;
    }
}
