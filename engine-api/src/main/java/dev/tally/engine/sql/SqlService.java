package dev.tally.engine.sql;

import dev.tally.api.BackendUnavailableException;
import dev.tally.api.InvalidQueryException;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.SqlQuery;
import dev.tally.api.SqlResult;
import dev.tally.api.TallyException;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.Warehouse;
import dev.tally.spi.Warehouse.ArchivedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Ad-hoc SQL over a project's raw events. Each statement is checked by DuckDB's parser ({@link SqlGuard}),
 * planned onto the committed archive files of the hours it can touch ({@link TimeRange}), then run in a new
 * locked-down in-memory DuckDB whose only table is the view {@code events} over those files
 * ({@link SqlSandbox}). A project only ever sees its own files: they come from the warehouse manifest of
 * that project, and DuckDB may open no other file.
 *
 * <p>Identical statements (same project, same statement up to spacing, same range and limit) that arrive
 * while one of them runs share that execution and its {@code queryId}. At most
 * {@link SqlSettings#maxConcurrent()} executions run at once, a few more wait briefly, the rest are refused
 * ({@link dev.tally.api.OverloadedException}). Thread-safe.
 */
public final class SqlService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlService.class);

    private final Warehouse warehouse;
    private final SqlSettings settings;
    private final Observer observer;
    private final SqlGuard guard = new SqlGuard();
    private final ArchiveFiles files;
    private final QuerySlots slots;
    private final ScheduledExecutorService timer;
    private final Map<Key, CompletableFuture<SqlResult>> running = new ConcurrentHashMap<>();

    public SqlService(Warehouse warehouse, ObjectStore objects, SqlSettings settings) {
        this(warehouse, objects, settings, new Observer() { });
    }

    /** A service that reports its executions to {@code observer} (tests hold executions open with it). */
    public SqlService(Warehouse warehouse, ObjectStore objects, SqlSettings settings, Observer observer) {
        this.warehouse = warehouse;
        this.settings = settings;
        this.observer = observer;
        this.files = new ArchiveFiles(objects, settings.cacheDir());
        this.slots = new QuerySlots(settings.maxConcurrent(), settings.maxQueued(), settings.queueWait());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tally-sql-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * What the service reports as it works, on the calling threads; a seam for tests that count executions or
     * hold one open. Implementations must be thread-safe.
     */
    public interface Observer {
        /** An execution was admitted and is about to plan and run; called before DuckDB sees the statement. */
        default void executing(String queryId) {
        }

        /** A caller found an identical execution running and now waits for its result. */
        default void joined() {
        }
    }

    /** What makes two queries the same execution. */
    private record Key(String projectId, String canonical, Instant from, Instant to, boolean explicit, int limit) {
    }

    /**
     * Runs one read-only statement over the project's archived events.
     *
     * @throws InvalidRequestException          bad input, a refused statement or a DuckDB error in it (400)
     * @throws dev.tally.api.QueryTimeoutException the statement ran longer than the timeout (400)
     * @throws dev.tally.api.OverloadedException too many statements are running (503)
     * @throws BackendUnavailableException      an archive file could not be read (503)
     */
    public SqlResult query(String projectId, SqlQuery query) {
        validate(query);
        SqlGuard.Checked checked = guard.check(query.sql());
        boolean explicit = query.from() != null || query.to() != null;
        Optional<TimeRange> found = explicit ? Optional.empty() : TimeRange.fromSql(checked.statement());
        TimeRange range = explicit ? new TimeRange(query.from(), query.to()) : found.orElse(TimeRange.ALL);
        int limit = query.limit() == null ? settings.maxRows() : query.limit();
        Key key = new Key(projectId, checked.canonical(), range.from(), range.to(), explicit, limit);

        CompletableFuture<SqlResult> mine = new CompletableFuture<>();
        CompletableFuture<SqlResult> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            observer.joined();
            return await(theirs);
        }
        try {
            SqlResult result = execute(projectId, checked.sql(), range, explicit, limit);
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    private void validate(SqlQuery q) {
        if (q.sql().isBlank()) {
            throw new InvalidRequestException("sql", "required", "sql is empty: send one SELECT over events");
        }
        if (q.sql().length() > settings.maxSqlChars()) {
            throw new InvalidRequestException("sql", "too_long", "sql is longer than " + settings.maxSqlChars()
                    + " characters");
        }
        if (q.limit() != null && (q.limit() < 1 || q.limit() > settings.maxRows())) {
            throw new InvalidRequestException("limit", "out_of_range", "limit must be between 1 and "
                    + settings.maxRows());
        }
        if (q.from() != null && q.to() != null && !q.from().isBefore(q.to())) {
            throw new InvalidRequestException("from", "invalid_range", "from must be before to");
        }
    }

    private static SqlResult await(CompletableFuture<SqlResult> execution) {
        try {
            return execution.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TallyException("interrupted while waiting for an identical query", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new TallyException("the identical query failed", e.getCause());
        }
    }

    private SqlResult execute(String projectId, String sql, TimeRange range, boolean explicit, int limit) {
        slots.acquire();
        try {
            String queryId = UUID.randomUUID().toString();
            observer.executing(queryId);
            List<ArchivedFile> chosen = files(projectId, range);
            Map<String, Path> local = files.local(chosen);
            List<String> notes = new ArrayList<>();
            notes.add(rangeNote(range, explicit, chosen.size()));
            SqlSandbox.Rows rows;
            try (SqlSandbox sandbox = new SqlSandbox(settings, List.copyOf(local.values()),
                    explicit ? range.from() : null, explicit ? range.to() : null)) {
                rows = sandbox.run(sql, limit, settings.maxResultChars(), settings, timer);
            } catch (SQLException e) {
                throw failure(e, local);
            }
            if (rows.truncated()) {
                notes.add(rows.bySize()
                        ? "truncated after " + rows.rows().size() + " rows: the result reached its size limit of about "
                        + settings.maxResultChars() + " characters"
                        : "truncated at the limit of " + limit + " rows");
            }
            return new SqlResult(queryId, rows.columns(), rows.rows(), rows.truncated(), chosen.size(), notes);
        } finally {
            slots.release();
        }
    }

    /** The committed files of the project whose hour overlaps the range (all of them for an open range). */
    private List<ArchivedFile> files(String projectId, TimeRange range) {
        if (range.from() != null && range.to() != null) {
            if (!range.from().isBefore(range.to())) {
                return List.of();
            }
            return warehouse.archivedFiles(projectId, range.from(), range.to());
        }
        List<ArchivedFile> out = new ArrayList<>();
        for (ArchivedFile f : warehouse.archivedFiles(projectId)) {
            if (range.overlapsHour(f.hour())) {
                out.add(f);
            }
        }
        return out;
    }

    private static String rangeNote(TimeRange range, boolean explicit, int fileCount) {
        String read = "read " + fileCount + " archive file" + (fileCount == 1 ? "" : "s");
        if (explicit) {
            return "events limited to the requested range " + range + "; " + read + " (the hours it overlaps)";
        }
        if (range.isAll()) {
            return "no from/to given and no bound on timestamp found in the WHERE clause: " + read
                    + " (every archived hour); give from/to to read less";
        }
        return "time range " + range + " taken from the WHERE clause's conditions on timestamp; " + read
                + " (the hours it overlaps)";
    }

    /** A DuckDB failure as the caller sees it: server paths replaced by archive keys, never a raw path. */
    private RuntimeException failure(SQLException e, Map<String, Path> local) {
        String message = sanitize(e.getMessage() == null ? e.toString() : e.getMessage(), local);
        boolean ours = local.values().stream().anyMatch(p -> e.getMessage() != null
                && e.getMessage().contains(p.toString()));
        if (message.startsWith("IO Error") && ours) {
            LOG.warn("SQL could not read the archive: {}", message);
            return new BackendUnavailableException("an archive file could not be read; retry later: " + message, e);
        }
        return new InvalidQueryException("sql", SqlGuard.shorten(message));
    }

    private String sanitize(String message, Map<String, Path> local) {
        String out = message;
        List<Map.Entry<String, Path>> byLength = new ArrayList<>(local.entrySet());
        byLength.sort(Comparator.comparingInt((Map.Entry<String, Path> en) -> en.getValue().toString().length())
                .reversed());
        List<String> roots = new ArrayList<>();
        for (Map.Entry<String, Path> en : byLength) {
            String path = en.getValue().toString();
            out = out.replace(path, en.getKey());
            if (path.endsWith(en.getKey())) {
                roots.add(path.substring(0, path.length() - en.getKey().length()));
            }
        }
        files.privateDirs().forEach(d -> roots.add(d.toString()));
        for (String root : roots) {
            if (!root.isEmpty() && !root.equals("/")) {
                out = out.replace(root, "");
            }
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        guard.close();
        files.close();
    }
}
