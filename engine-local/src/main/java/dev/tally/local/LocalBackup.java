package dev.tally.local;

import dev.tally.api.BackupSummary;
import dev.tally.api.ConfigurationException;
import dev.tally.api.InvalidRequestException;
import dev.tally.spi.LogPosition;
import net.openhft.chronicle.queue.ChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Backup and restore of a local data directory. A backup directory holds:
 *
 * <pre>
 * backup.json     what it is: format, backend, versions, when, the log position it ends at (written last:
 *                 a directory without it is an unfinished backup and is refused)
 * db.zip          H2's online BACKUP of catalog, warehouse, window checkpoints and the archive manifest
 * log/            the Chronicle Queue files, copied after the database while appends wait
 * objects/        the archive files listed in db.zip's manifest (immutable once committed)
 * </pre>
 *
 * Consistent while ingest continues: every consumer position recorded in the database snapshot is at or
 * before the log copy's end, and every archive file in its manifest was published before it was committed.
 * Events appended after the snapshot but within the log copy are re-aggregated and re-archived on restore,
 * from the checkpoints. The dedup index is not copied: the restored engine rebuilds it from the log.
 * Stateless; callers keep retention from running during a backup.
 */
final class LocalBackup {
    static final String MANIFEST = "backup.json";
    private static final String DB_ZIP = "db.zip";
    private static final int FORMAT = 1;
    private static final Set<String> DATA_ENTRIES = Set.of(DataDirLock.FILE, "log", "db", "dedup", "objects",
            "spool");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = LoggerFactory.getLogger(LocalBackup.class);

    private LocalBackup() {
    }

    static BackupSummary write(Path target, Path dataDir, H2Database db, ChronicleEventLog log,
                               LocalObjectStore objects, InstantSource clock) {
        Path to = target.toAbsolutePath().normalize();
        if (to.startsWith(dataDir) || dataDir.startsWith(to)) {
            throw new InvalidRequestException("to", "inside_data_dir", "the backup directory " + to
                    + " must be outside the data directory " + dataDir + " (and must not contain it)");
        }
        try {
            Files.createDirectories(to);
        } catch (IOException | SecurityException e) {
            throw new InvalidRequestException("to", "not_writable", "cannot create the backup directory " + to + ": "
                    + e.getMessage());
        }
        if (!Files.isWritable(to)) {
            throw new InvalidRequestException("to", "not_writable", "the backup directory " + to + " is not writable");
        }
        Instant created = clock.instant();
        try {
            Path zip = to.resolve(DB_ZIP);
            db.backupTo(zip);
            LogPosition end = log.copyTo(to.resolve("log"));
            long bytes = Files.size(zip) + treeSize(to.resolve("log"));
            List<String> keys = archivedKeys(zip);
            for (String key : keys) {
                Path source = objects.localFile(key).orElseThrow(() -> new LocalStorageException(
                        "archived file " + key + " is listed in the manifest but missing from the object store", null));
                Path copy = inside(to.resolve("objects"), key);
                Files.createDirectories(copy.getParent());
                Files.copy(source, copy);
                bytes += Files.size(copy);
            }
            BackupSummary summary = new BackupSummary(to, created, "local", end.encode(), keys.size(), bytes);
            writeManifest(to, summary);
            LOG.info("backup written to {}: log up to {}, {} archive files, {} bytes", to, end, keys.size(), bytes);
            return summary;
        } catch (IOException e) {
            throw new LocalStorageException("cannot write the backup to " + to + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores {@code backup} into {@code dataDir}, holding the directory's lock meanwhile.
     *
     * @throws ConfigurationException when the data directory is in use, holds data (without {@code force}) or
     *                                holds files Tally did not write, or the backup is unfinished or unusable
     */
    static BackupSummary restore(Path backup, Path dataDir, boolean force) {
        Path from = backup.toAbsolutePath().normalize();
        BackupSummary summary = readManifest(from);
        if (from.startsWith(dataDir) || dataDir.startsWith(from)) {
            throw new ConfigurationException("the backup " + from + " and the data directory " + dataDir
                    + " must not contain one another");
        }
        try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
            clear(dataDir, force);
            unzip(from.resolve(DB_ZIP), dataDir.resolve("db"));
            copyTree(from.resolve("log"), dataDir.resolve("log"));
            copyTree(from.resolve("objects"), dataDir.resolve("objects"));
        } catch (IOException e) {
            throw new LocalStorageException("cannot restore " + from + " into " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.info("restored the backup of {} from {} into {}", summary.createdAt(), from, dataDir);
        return summary;
    }

    private static List<String> archivedKeys(Path zip) {
        return H2Database.readZip(zip, c -> {
            List<String> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT current_key FROM archive_files ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        });
    }

    private static void writeManifest(Path to, BackupSummary s) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("format", FORMAT);
        json.put("backend", s.backend());
        json.put("createdAt", s.createdAt().toString());
        json.put("logEnd", s.logEnd());
        json.put("schemaVersion", H2Database.schemaVersion());
        json.put("archivedFiles", s.archivedFiles());
        json.put("bytes", s.bytes());
        ObjectNode versions = json.putObject("versions");
        versions.put("tally", version(LocalBackup.class.getPackage().getImplementationVersion()));
        versions.put("h2", org.h2.engine.Constants.FULL_VERSION);
        versions.put("chronicleQueue", version(ChronicleQueue.class.getPackage().getImplementationVersion()));
        versions.put("java", Runtime.version().toString());
        Path tmp = to.resolve(MANIFEST + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.move(tmp, to.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
    }

    private static String version(String v) {
        return v == null ? "development build" : v;
    }

    private static BackupSummary readManifest(Path from) {
        Path manifest = from.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new ConfigurationException(from + " is not a finished Tally backup: " + MANIFEST + " is missing");
        }
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(manifest));
        } catch (IOException | JacksonException e) {
            throw new ConfigurationException("cannot read " + manifest + ": " + e.getMessage(), e);
        }
        if (json.path("format").asInt(-1) != FORMAT || !"local".equals(json.path("backend").asString(""))) {
            throw new ConfigurationException(manifest + " is not a backup of the local backend in format " + FORMAT);
        }
        if (json.path("schemaVersion").asInt(Integer.MAX_VALUE) > H2Database.schemaVersion()) {
            throw new ConfigurationException("the backup in " + from + " was written by a newer Tally (database "
                    + "schema " + json.path("schemaVersion").asInt() + ", this build knows "
                    + H2Database.schemaVersion() + ")");
        }
        if (!Files.isRegularFile(from.resolve(DB_ZIP))) {
            throw new ConfigurationException("the backup in " + from + " has no " + DB_ZIP);
        }
        try {
            return new BackupSummary(from, Instant.parse(json.path("createdAt").asString()), "local",
                    json.path("logEnd").asString(""), json.path("archivedFiles").asInt(), json.path("bytes").asLong());
        } catch (RuntimeException e) {
            throw new ConfigurationException(manifest + " is damaged: " + e.getMessage(), e);
        }
    }

    /** Empties a data directory of Tally's own entries ({@code force}), refusing anything else. */
    private static void clear(Path dataDir, boolean force) throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(dataDir)) {
            entries = list.filter(p -> !p.getFileName().toString().equals(DataDirLock.FILE)).toList();
        }
        if (entries.isEmpty()) {
            return;
        }
        if (!force) {
            throw new ConfigurationException("data directory " + dataDir + " is not empty; restore into an empty "
                    + "directory, or pass --force to replace its data");
        }
        for (Path p : entries) {
            if (!DATA_ENTRIES.contains(p.getFileName().toString())) {
                throw new ConfigurationException("data directory " + dataDir + " holds " + p.getFileName()
                        + ", which Tally did not write; not replacing it");
            }
        }
        for (Path p : entries) {
            deleteTree(p);
        }
    }

    private static void unzip(Path zip, Path into) throws IOException {
        Files.createDirectories(into);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = entries.getNextEntry()) != null) {
                Path out = inside(into, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(entries, out);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path copy = inside(to, from.relativize(f).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(f, copy);
            }
        }
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** {@code root/relative}, refusing names that would leave {@code root}. */
    private static Path inside(Path root, String relative) throws IOException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("refusing the entry '" + relative + "', which points outside " + root);
        }
        return p;
    }
}
