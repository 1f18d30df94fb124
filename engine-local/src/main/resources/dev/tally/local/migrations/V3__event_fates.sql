-- An event's fate by id (GET /v1/events/{eventId}): its rejections by id, and how often it was resent.
CREATE INDEX idx_rejected_event ON rejected_events(project_id, event_id);

CREATE TABLE duplicate_events (
    project_id   VARCHAR(50) NOT NULL,
    event_id     VARCHAR(200) NOT NULL,
    copies       BIGINT NOT NULL,
    last_seen    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (project_id, event_id)
);
CREATE INDEX idx_duplicate_events_seen ON duplicate_events(last_seen);
