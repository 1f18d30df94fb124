-- The raw-event archive's manifest: one row per committed Parquet file. Readers list files here, never in
-- the object store, so a published but uncommitted file is invisible.
CREATE TABLE archive_files (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    project_id     VARCHAR(50) NOT NULL,
    object_key     VARCHAR(1024) NOT NULL, -- where it was written; events_metadata.storage_path
    current_key    VARCHAR(1024) NOT NULL, -- where it is now (retention moves files to the cold prefix)
    hour_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    row_count      BIGINT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    min_timestamp  TIMESTAMP WITH TIME ZONE NOT NULL,
    max_timestamp  TIMESTAMP WITH TIME ZONE NOT NULL,
    storage_class  VARCHAR(10) NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_archive_files_key UNIQUE (object_key)
);
CREATE INDEX idx_archive_files_hour ON archive_files(project_id, hour_start);
CREATE INDEX idx_archive_files_global_hour ON archive_files(hour_start);

-- Hours rolled up into metric_aggregates, and through which archived file.
CREATE TABLE rollup_periods (
    project_id    VARCHAR(50) NOT NULL,
    hour_start    TIMESTAMP WITH TIME ZONE NOT NULL,
    max_file_id   BIGINT NOT NULL,
    rolled_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (project_id, hour_start)
);

CREATE TABLE rollup_versions (
    project_id    VARCHAR(50) PRIMARY KEY,
    version       BIGINT NOT NULL
);

-- The unique constraint (project_id, event_id) already serves lookups by project.
DROP INDEX idx_events_project_id;
-- A rollup replaces one project's rows of an hour or a day across its metrics; retention expires by time.
CREATE INDEX idx_aggregates_period ON metric_aggregates(project_id, time_granularity, "timestamp");
CREATE INDEX idx_aggregates_time ON metric_aggregates("timestamp");
