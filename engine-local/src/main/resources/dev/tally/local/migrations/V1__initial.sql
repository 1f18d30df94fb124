-- Catalog: projects, keys (hashes only), versioned schemas, metric definitions.
CREATE TABLE projects (
    project_id      VARCHAR(50) PRIMARY KEY,
    strict_schemas  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE api_keys (
    key_id       VARCHAR(32) PRIMARY KEY,
    project_id   VARCHAR(50) NOT NULL REFERENCES projects(project_id),
    role         VARCHAR(10) NOT NULL,
    secret_hash  VARBINARY(32) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE event_schemas (
    id                 BIGINT AUTO_INCREMENT PRIMARY KEY,
    project_id         VARCHAR(50) NOT NULL,
    event_type         VARCHAR(100) NOT NULL,
    schema_version     INTEGER NOT NULL,
    schema_definition  CHARACTER LARGE OBJECT NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_event_schemas UNIQUE (project_id, event_type, schema_version)
);
CREATE INDEX idx_schemas_project_event ON event_schemas(project_id, event_type);

CREATE TABLE metric_definitions (
    project_id   VARCHAR(50) NOT NULL,
    name         VARCHAR(100) NOT NULL,
    event_type   VARCHAR(100),
    aggregation  VARCHAR(10) NOT NULL,
    property     VARCHAR(128),
    dimensions   VARCHAR(2000) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- Warehouse: the seed's tables, project-scoped, plus the mergeable aggregate state.
CREATE TABLE events_metadata (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    event_id         VARCHAR(64) NOT NULL,
    user_id          VARCHAR(128),
    event_type       VARCHAR(100) NOT NULL,
    project_id       VARCHAR(50) NOT NULL,
    "timestamp"      TIMESTAMP WITH TIME ZONE NOT NULL,
    ingested_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    storage_path     VARCHAR(1024) NOT NULL,
    file_partition   VARCHAR(50) NOT NULL,
    properties_hash  VARCHAR(64),
    status           VARCHAR(20) DEFAULT 'processed' NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT uq_events_metadata UNIQUE (project_id, event_id)
);
CREATE INDEX idx_events_user_id ON events_metadata(user_id);
CREATE INDEX idx_events_event_type ON events_metadata(event_type);
CREATE INDEX idx_events_timestamp ON events_metadata("timestamp");
CREATE INDEX idx_events_project_id ON events_metadata(project_id);
CREATE INDEX idx_events_ingested_at ON events_metadata(ingested_at);

CREATE TABLE metric_aggregates (
    project_id        VARCHAR(50) NOT NULL,
    metric_name       VARCHAR(100) NOT NULL,
    metric_type       VARCHAR(20) NOT NULL,
    time_granularity  VARCHAR(10) NOT NULL,
    "timestamp"       TIMESTAMP WITH TIME ZONE NOT NULL,
    "value"           DECIMAL(20, 2),
    dimensions        VARCHAR(2000) NOT NULL,
    aggregate_state   VARBINARY(65536) NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, metric_name, time_granularity, "timestamp", dimensions)
);
CREATE INDEX idx_aggregates_metric_time ON metric_aggregates(project_id, metric_name, "timestamp");

CREATE TABLE rejected_events (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    project_id   VARCHAR(50) NOT NULL,
    event_id     VARCHAR(200),
    event_type   VARCHAR(200),
    reason       VARCHAR(10) NOT NULL,
    violations   CHARACTER LARGE OBJECT NOT NULL,
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    payload      CHARACTER LARGE OBJECT
);
CREATE INDEX idx_rejected_project ON rejected_events(project_id, id);

-- Real-time windows and the consumers' positions, written in one transaction.
CREATE TABLE realtime_windows (
    project_id    VARCHAR(50) NOT NULL,
    metric_name   VARCHAR(100) NOT NULL,
    granularity   VARCHAR(4) NOT NULL,
    window_start  BIGINT NOT NULL,
    dimensions    VARCHAR(4000) NOT NULL,
    state         VARBINARY(65536) NOT NULL,
    PRIMARY KEY (project_id, metric_name, granularity, window_start, dimensions)
);
CREATE INDEX idx_windows_start ON realtime_windows(window_start);

CREATE TABLE consumer_checkpoints (
    consumer    VARCHAR(100) PRIMARY KEY,
    position    VARCHAR(4000) NOT NULL,
    watermarks  CHARACTER LARGE OBJECT NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
