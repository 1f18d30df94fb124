package dev.tally.local;

import dev.tally.spi.DedupIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * The local dedup index: an open-addressing hash table in a copy-on-write memory-mapped file, so its size
 * does not count against the heap, and saved whole at a clean close so it survives a restart. Each slot holds 96 bits of a hash of (project, eventId) and
 * an expiry minute; expired slots are reused. The table doubles when three quarters full.
 *
 * <p>The file is trusted only after a clean close. After a crash the owner rebuilds it from the log
 * ({@link #isTrusted()}), which also drops ids that were claimed but never appended.
 *
 * <p>Thread-safe (one lock; calls are per batch).
 */
final class MappedDedupIndex implements DedupIndex, AutoCloseable {
    private static final int HEADER = 64;
    private static final int SLOT = 16;
    private static final long MAGIC = 0x54414c4c59444455L; // "TALLYDDU"
    private static final int OFF_MAGIC = 0;
    private static final int OFF_CAPACITY = 8;
    private static final int OFF_USED = 16;
    private static final int OFF_CLEAN = 24;
    private static final int DEAD = 0;

    private final Path file;
    private final InstantSource clock;
    private final boolean trusted;
    private MappedByteBuffer map;
    private long capacity;
    private long used;

    MappedDedupIndex(Path file, InstantSource clock, long initialCapacity) {
        this.file = file;
        this.clock = clock;
        boolean ok = false;
        try {
            if (Files.exists(file) && Files.size(file) >= HEADER) {
                map(file, Files.size(file));
                ok = map.getLong(OFF_MAGIC) == MAGIC && map.getInt(OFF_CLEAN) == 1
                        && Files.size(file) == HEADER + map.getLong(OFF_CAPACITY) * SLOT;
            }
            if (!ok) {
                create(file, Long.highestOneBit(Math.max(1024, initialCapacity - 1)) << 1);
            } else {
                capacity = map.getLong(OFF_CAPACITY);
                used = map.getLong(OFF_USED);
            }
            map.putInt(OFF_CLEAN, 0);
            markFileInUse();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dedup index " + file, e);
        }
        this.trusted = ok;
    }

    /** {@code false} when the file was missing or not closed cleanly: the caller must rebuild it from the log. */
    boolean isTrusted() {
        return trusted;
    }

    long capacity() {
        return capacity;
    }

    @Override
    public synchronized boolean[] markIfAbsent(String projectId, List<String> eventIds, Instant expiresAt) {
        int nowMinute = minute(clock.millis());
        int expiry = Math.max(nowMinute + 1, minute(expiresAt.toEpochMilli()) + 1);
        boolean[] out = new boolean[eventIds.size()];
        for (int i = 0; i < out.length; i++) {
            if ((used + 1) * 4 > capacity * 3) {
                grow(nowMinute);
            }
            out[i] = insert(projectId, eventIds.get(i), expiry, nowMinute);
        }
        return out;
    }

    /** Marks without checking the clock's view of expiry (used when rebuilding from the log). */
    synchronized void markRebuilt(String projectId, String eventId, Instant expiresAt) {
        int nowMinute = minute(clock.millis());
        if ((used + 1) * 4 > capacity * 3) {
            grow(nowMinute);
        }
        insert(projectId, eventId, minute(expiresAt.toEpochMilli()) + 1, nowMinute);
    }

    @Override
    public synchronized void unmark(String projectId, List<String> eventIds) {
        for (String id : eventIds) {
            long h1 = hash(projectId, id, 0x9E3779B97F4A7C15L);
            int h2 = (int) hash(projectId, id, 0xC2B2AE3D27D4EB4FL);
            long slot = find(h1 | 1, h2);
            if (slot >= 0) {
                map.putInt(offset(slot) + 12, DEAD);
            }
        }
    }

    @Override
    public synchronized boolean contains(String projectId, String eventId) {
        long h1 = hash(projectId, eventId, 0x9E3779B97F4A7C15L) | 1;
        int h2 = (int) hash(projectId, eventId, 0xC2B2AE3D27D4EB4FL);
        long slot = find(h1, h2);
        return slot >= 0 && map.getInt(offset(slot) + 12) > minute(clock.millis());
    }

    private boolean insert(String projectId, String eventId, int expiry, int nowMinute) {
        long h1 = hash(projectId, eventId, 0x9E3779B97F4A7C15L) | 1; // never 0: 0 marks an empty slot
        int h2 = (int) hash(projectId, eventId, 0xC2B2AE3D27D4EB4FL);
        long mask = capacity - 1;
        long reusable = -1;
        for (long i = h1 & mask, probes = 0; probes < capacity; i = (i + 1) & mask, probes++) {
            int off = offset(i);
            long k1 = map.getLong(off);
            if (k1 == 0) {
                long target = reusable >= 0 ? reusable : i;
                write(target, h1, h2, expiry);
                if (reusable < 0) {
                    used++;
                    map.putLong(OFF_USED, used);
                }
                return true;
            }
            int slotExpiry = map.getInt(off + 12);
            boolean live = slotExpiry > nowMinute;
            if (k1 == h1 && map.getInt(off + 8) == h2) {
                if (live) {
                    return false;
                }
                write(i, h1, h2, expiry);
                return true;
            }
            if (!live && reusable < 0) {
                reusable = i;
            }
        }
        if (reusable >= 0) {
            write(reusable, h1, h2, expiry);
            return true;
        }
        throw new IllegalStateException("dedup index full");
    }

    private long find(long h1, int h2) {
        long mask = capacity - 1;
        for (long i = h1 & mask, probes = 0; probes < capacity; i = (i + 1) & mask, probes++) {
            int off = offset(i);
            long k1 = map.getLong(off);
            if (k1 == 0) {
                return -1;
            }
            if (k1 == h1 && map.getInt(off + 8) == h2) {
                return i;
            }
        }
        return -1;
    }

    private void write(long slot, long h1, int h2, int expiry) {
        int off = offset(slot);
        map.putLong(off, h1);
        map.putInt(off + 8, h2);
        map.putInt(off + 12, expiry);
    }

    /** Rehashes live slots into a new file: twice as large unless most slots had expired. */
    private void grow(int nowMinute) {
        long live = 0;
        for (long i = 0; i < capacity; i++) {
            int off = offset(i);
            if (map.getLong(off) != 0 && map.getInt(off + 12) > nowMinute) {
                live++;
            }
        }
        long newCapacity = live * 2 > capacity ? capacity * 2 : capacity;
        if (newCapacity * SLOT > Integer.MAX_VALUE - HEADER) {
            throw new IllegalStateException("dedup index would exceed 2 GiB; lower tally.dedup.ttl");
        }
        MappedByteBuffer old = map;
        long oldCapacity = capacity;
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            create(next, newCapacity);
            for (long i = 0; i < oldCapacity; i++) {
                int off = HEADER + (int) (i * SLOT);
                long h1 = old.getLong(off);
                int expiry = old.getInt(off + 12);
                if (h1 != 0 && expiry > nowMinute) {
                    long mask = capacity - 1;
                    long j = h1 & mask;
                    while (map.getLong(offset(j)) != 0) {
                        j = (j + 1) & mask;
                    }
                    write(j, h1, old.getInt(off + 8), expiry);
                    used++;
                }
            }
            map.putLong(OFF_USED, used);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot grow dedup index " + file, e);
        }
    }

    private void create(Path path, long slots) throws IOException {
        Files.deleteIfExists(path);
        map(path, HEADER + slots * SLOT);
        map.putLong(OFF_MAGIC, MAGIC);
        map.putLong(OFF_CAPACITY, slots);
        map.putLong(OFF_USED, 0);
        capacity = slots;
        used = 0;
    }

    /**
     * Maps the file copy-on-write: the table lives in memory outside the heap and the kernel never writes
     * pages back while we run (random writes to a shared mapping would fault on every write-back). The file
     * is rewritten whole at a clean close.
     */
    private void map(Path path, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            map = ch.map(FileChannel.MapMode.PRIVATE, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Marks the file on disk as not cleanly closed until {@link #close()} rewrites it. */
    private void markFileInUse() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zero = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0);
            ch.write(zero, OFF_CLEAN);
            ch.force(true);
        }
    }

    private static int offset(long slot) {
        return HEADER + (int) (slot * SLOT);
    }

    private static int minute(long epochMillis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, epochMillis / 60_000L));
    }

    /** A seeded 64-bit hash of "project\0eventId" over UTF-16 chars, with a murmur3 finalizer per step. */
    private static long hash(String projectId, String eventId, long seed) {
        long h = seed ^ 0xcbf29ce484222325L;
        h = mix(h, projectId);
        h = (h ^ 0xFFFF) * 0x9E3779B97F4A7C15L;
        h = mix(h, eventId);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long mix(long h, String s) {
        int n = s.length();
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long block = s.charAt(i) | ((long) s.charAt(i + 1) << 16) | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h = Long.rotateLeft(h ^ (block * 0x87c37b91114253d5L), 31) * 0x4cf5ad432745937fL;
        }
        for (; i < n; i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h ^ n;
    }

    @Override
    public synchronized void close() {
        map.putInt(OFF_CLEAN, 1);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer all = map.duplicate();
            all.clear();
            while (all.hasRemaining()) {
                ch.write(all);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save dedup index " + file, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save dedup index " + file, e);
        }
    }
}
