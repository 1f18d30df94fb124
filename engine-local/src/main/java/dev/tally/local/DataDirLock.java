package dev.tally.local;

import dev.tally.api.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on {@code DATA_DIR/.lock} that makes one engine (or one restore) the only user of a data
 * directory, across processes. Released by {@link #close()}. Not thread-safe.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = ".lock";
    private static final Logger LOG = LoggerFactory.getLogger(DataDirLock.class);

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @throws ConfigurationException when the directory cannot be used or another instance holds it
     */
    static DataDirLock acquire(Path dir) {
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ConfigurationException("cannot use data directory " + dir + ": " + e.getMessage(), e);
        }
        FileLock acquired;
        try {
            acquired = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly(channel);
            throw new ConfigurationException("data directory " + dir + " is in use by another Tally instance");
        }
        return new DataDirLock(channel, acquired);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing lock", e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("closing lock file", e);
        }
    }
}
