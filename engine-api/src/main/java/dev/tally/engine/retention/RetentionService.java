package dev.tally.engine.retention;

import dev.tally.api.RetentionSummary;
import dev.tally.engine.archive.ArchiveLayout;
import dev.tally.spi.Backend;
import dev.tally.spi.LogPosition;
import dev.tally.spi.ObjectStore;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.spi.Warehouse.StorageClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * One retention pass over any backend, through the SPI: archived hours past {@code raw} are deleted
 * (manifest and {@code events_metadata} rows first, then the objects: a file is never listed without its
 * object), those past {@code hot} move to the cold prefix (object moved, then the manifest row repointed, so
 * readers that go through the manifest keep working), aggregates past {@code aggregates} and windows past
 * the real-time retention are dropped, and the log drops what every consumer has and is past {@code log}.
 * An hour moves or goes only once all of it is past the cutoff. Idempotent, and safe to resume after a crash
 * at any point. Not thread-safe: callers run one pass at a time.
 */
public final class RetentionService {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);
    private static final int BATCH = 500;

    private final Backend backend;
    private final RetentionSettings settings;
    private final Duration windowRetention;

    public RetentionService(Backend backend, RetentionSettings settings, Duration windowRetention) {
        this.backend = backend;
        this.settings = settings;
        this.windowRetention = windowRetention;
    }

    /**
     * Runs one pass with cutoffs measured back from {@code now}.
     *
     * @param consumed what every log consumer has durably committed
     */
    public RetentionSummary run(Instant now, LogPosition consumed) {
        int[] deleted = {0};
        long rows = deleteRaw(hourCutoff(now, settings.raw()), deleted);
        int moved = moveToCold(hourCutoff(now, settings.hot()));
        // Hour-aligned like the raw cutoff, so no hour loses its aggregates while its files remain (the rollup
        // would rebuild them).
        long aggregates = backend.warehouse().expireAggregates(hourCutoff(now, settings.aggregates()));
        backend.windows().expireBefore(now.minus(windowRetention));
        long freed = backend.eventLog().truncate(consumed, now.minus(settings.log()));
        RetentionSummary summary = new RetentionSummary(now, moved, deleted[0], rows, aggregates, freed);
        if (moved + deleted[0] + aggregates + freed > 0) {
            LOG.info("retention: {} files moved to cold, {} files and {} event rows deleted, {} aggregate rows "
                    + "deleted, {} log bytes freed", moved, deleted[0], rows, aggregates, freed);
        }
        return summary;
    }

    /** Hours that end at or before {@code now - age} start before this. */
    private static Instant hourCutoff(Instant now, Duration age) {
        return now.minus(age).truncatedTo(ChronoUnit.HOURS);
    }

    private int moveToCold(Instant hourBefore) {
        int moved = 0;
        List<ArchivedFile> batch;
        do {
            batch = backend.warehouse().archivedFilesBefore(hourBefore, StorageClass.HOT, BATCH);
            for (ArchivedFile f : batch) {
                String cold = ArchiveLayout.coldKey(f.key());
                try {
                    backend.objects().move(f.key(), cold);
                } catch (RuntimeException e) {
                    if (!isObject(cold) || isObject(f.key())) {
                        throw e;
                    }
                    LOG.info("{} was moved to {} by a run that stopped before repointing the manifest", f.key(), cold);
                }
                backend.warehouse().relocateArchivedFile(f.id(), cold, StorageClass.COLD);
                moved++;
            }
        } while (batch.size() == BATCH);
        return moved;
    }

    private long deleteRaw(Instant hourBefore, int[] files) {
        long rows = 0;
        for (StorageClass storageClass : StorageClass.values()) {
            List<ArchivedFile> batch;
            do {
                batch = backend.warehouse().archivedFilesBefore(hourBefore, storageClass, BATCH);
                List<Long> ids = new ArrayList<>(batch.size());
                batch.forEach(f -> ids.add(f.id()));
                rows += backend.warehouse().forgetArchivedFiles(ids);
                for (ArchivedFile f : batch) {
                    backend.objects().delete(f.key());
                }
                files[0] += batch.size();
            } while (batch.size() == BATCH);
        }
        return rows;
    }

    private boolean isObject(String key) {
        for (ObjectStore.ObjectInfo o : backend.objects().list(key)) {
            if (o.key().equals(key)) {
                return true;
            }
        }
        return false;
    }
}
