package dev.tally.local;

import dev.tally.spi.ObjectKeys;
import dev.tally.spi.ObjectStore;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. A put writes a hidden temporary file and renames it into place
 * atomically, so readers never see a partial object. Keys are checked so none can leave the root. Thread-safe.
 */
final class LocalObjectStore implements ObjectStore {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;

    LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new LocalStorageException("cannot create object directory " + root, e);
        }
    }

    @Override
    public void put(String key, byte[] content) {
        Path target = resolve(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            Files.write(tmp, content);
            moveAtomically(tmp, target);
        } catch (IOException e) {
            throw new LocalStorageException("cannot write object " + key, e);
        }
    }

    @Override
    public void putFile(String key, Path source) {
        Path target = resolve(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            try {
                Files.move(source, tmp, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING); // another file system
                Files.deleteIfExists(source);
            }
            moveAtomically(tmp, target);
        } catch (IOException e) {
            throw new LocalStorageException("cannot write object " + key, e);
        }
    }

    @Override
    public SeekableByteChannel open(String key) throws IOException {
        Path p = resolve(key);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(key);
        }
        return Files.newByteChannel(p, StandardOpenOption.READ);
    }

    @Override
    public Optional<Path> localFile(String key) {
        Path p = resolve(key);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path p = resolve(key);
        if (!Files.isRegularFile(p)) {
            return Optional.empty(); // missing, or only a prefix of other keys
        }
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LocalStorageException("cannot read object " + key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        ObjectKeys.checkPrefix(prefix);
        Path start = root;
        int slash = prefix.lastIndexOf('/');
        if (slash > 0) {
            start = root.resolve(prefix.substring(0, slash));
        }
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<ObjectInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    continue;
                }
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix)) {
                    out.add(new ObjectInfo(key, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new LocalStorageException("cannot list objects under " + prefix, e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void move(String fromKey, String toKey) {
        Path from = resolve(fromKey);
        Path to = resolve(toKey);
        if (!Files.isRegularFile(from)) {
            throw new LocalStorageException("cannot move object " + fromKey + ": no such object",
                    new NoSuchFileException(fromKey));
        }
        try {
            Files.createDirectories(to.getParent());
            moveAtomically(from, to);
        } catch (IOException e) {
            throw new LocalStorageException("cannot move object " + fromKey + " to " + toKey, e);
        }
    }

    @Override
    public void delete(String key) {
        Path p = resolve(key);
        if (!Files.isRegularFile(p)) {
            return; // missing, or only a prefix of other keys
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new LocalStorageException("cannot delete object " + key, e);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path resolve(String key) {
        Path p = root.resolve(ObjectKeys.check(key)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalStateException("object key '" + key + "' resolved outside " + root); // ObjectKeys forbids this
        }
        return p;
    }
}
