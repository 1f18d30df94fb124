package dev.tally.engine.ingest;

import dev.tally.api.Event;
import dev.tally.api.EventFate;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.RejectedEvent;
import dev.tally.engine.archive.ArchiveLayout;
import dev.tally.engine.archive.ParquetIo;
import dev.tally.spi.Backend;
import dev.tally.spi.Warehouse.ArchivedFile;
import dev.tally.spi.Warehouse.EventMetadata;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Answers "what became of this event id" from what the backend remembers: the dedup index, the rejected-events
 * listing, the duplicate counts and the archive. Reads only; thread-safe.
 */
public final class EventFates {
    private static final Logger LOG = LoggerFactory.getLogger(EventFates.class);
    /** Ids longer than the rejected-events listing keeps cannot be found. */
    public static final int MAX_ID_LENGTH = 200;
    private static final int REJECTIONS_READ = 100;
    private static final int FILES_SCANNED = 64;

    private final Backend backend;
    private final DuplicateCounts duplicateCounts;

    public EventFates(Backend backend, DuplicateCounts duplicateCounts) {
        this.backend = backend;
        this.duplicateCounts = duplicateCounts;
    }

    public EventFate fate(String projectId, String eventId) {
        if (eventId == null || eventId.isBlank() || eventId.length() > MAX_ID_LENGTH) {
            throw new InvalidRequestException("eventId", "invalid_format",
                    "eventId must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        List<RejectedEvent> records = backend.warehouse().rejections(projectId, eventId, REJECTIONS_READ);
        Optional<RejectedEvent> late = records.stream().filter(r -> r.reason() == RejectedEvent.Reason.LATE).findFirst();
        Optional<EventMetadata> metadata = backend.warehouse().eventMetadata(projectId, eventId);
        if (late.isPresent()) {
            return new EventFate.Late(eventId, late.get().violations(), late.get().recordedAt(),
                    stored(metadata, projectId, eventId));
        }
        long copies = backend.warehouse().duplicates(projectId, eventId) + duplicateCounts.pending(projectId, eventId);
        boolean accepted = metadata.isPresent() || backend.dedup().contains(projectId, eventId);
        if (accepted) {
            return copies > 0 ? new EventFate.Duplicate(eventId, copies, stored(metadata, projectId, eventId))
                    : new EventFate.Accepted(eventId, stored(metadata, projectId, eventId));
        }
        List<RejectedEvent> invalid = records.stream().filter(r -> r.reason() == RejectedEvent.Reason.INVALID).toList();
        if (!invalid.isEmpty()) {
            RejectedEvent latest = invalid.get(0);
            return new EventFate.Rejected(eventId, latest.violations(), latest.recordedAt(), latest.payload(),
                    invalid.size());
        }
        if (copies > 0) {
            // Accepted longer ago than the dedup window remembers, resent within it.
            return new EventFate.Duplicate(eventId, copies, Optional.empty());
        }
        return new EventFate.Unknown(eventId);
    }

    /**
     * The archived event, read back from its Parquet file: the one its {@code events_metadata} row names when
     * those rows are written ({@code tally.archive.event-metadata}), else the project's committed files, newest
     * hour first, at most {@link #FILES_SCANNED} of them (the lookup is for tests and support, not a query path).
     */
    private Optional<Event> stored(Optional<EventMetadata> metadata, String projectId, String eventId) {
        if (metadata.isPresent()) {
            return "processed".equals(metadata.get().status())
                    ? find(metadata.get().storagePath(), eventId) : Optional.empty();
        }
        List<ArchivedFile> files = backend.warehouse().archivedFiles(projectId);
        for (int i = files.size() - 1, scanned = 0; i >= 0 && scanned < FILES_SCANNED; i--, scanned++) {
            Optional<Event> found = find(files.get(i).key(), eventId);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private Optional<Event> find(String key, String eventId) {
        try (ParquetIo.RowReader reader = ParquetIo.reader(() -> backend.objects().open(key))) {
            GenericRecord r;
            while ((r = reader.read()) != null) {
                if (eventId.equals(String.valueOf(r.get("event_id")))) {
                    return Optional.of(ArchiveLayout.toEvent(r));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The fate stands without the stored copy (a file moved by retention meanwhile, a store that is down).
            LOG.warn("could not read archived event {} from {}: {}", eventId, key, e.toString());
        }
        return Optional.empty();
    }
}
