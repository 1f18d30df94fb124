package dev.tally.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A product event as a client sends it. Immutable and thread-safe.
 *
 * <p>{@code properties} values are {@code String}, {@code Number}, {@code Boolean}, {@code null}, or
 * nested {@code List}/{@code Map} of those. Whether they are acceptable is decided at ingest (limits and
 * the registered schema), never here, so that a bad event is answered with reasons instead of an exception.
 */
public record Event(String eventId, String eventType, String userId, Instant timestamp,
                    Map<String, Object> properties, EventContext context) {

    public Event {
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        context = context == null ? EventContext.EMPTY : context;
    }

    /** Starts an event of the given type with a random UUID eventId and no timestamp (filled in at ingest). */
    public static Builder builder(String eventType) {
        return new Builder(eventType);
    }

    /** Builds {@link Event}s; not thread-safe. */
    public static final class Builder {
        private String eventId = UUID.randomUUID().toString();
        private final String eventType;
        private String userId;
        private Instant timestamp;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private String ip;
        private String userAgent;
        private String country;
        private String device;
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder(String eventType) {
            this.eventType = eventType;
        }

        public Builder eventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder userId(String userId) {
            this.userId = userId;
            return this;
        }

        public Builder timestamp(Instant timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        public Builder property(String name, Object value) {
            properties.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        public Builder properties(Map<String, ?> values) {
            properties.putAll(values);
            return this;
        }

        public Builder country(String country) {
            this.country = country;
            return this;
        }

        public Builder device(String device) {
            this.device = device;
            return this;
        }

        public Builder ip(String ip) {
            this.ip = ip;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public Builder context(String key, String value) {
            extra.put(key, value);
            return this;
        }

        public Event build() {
            return new Event(eventId, eventType, userId, timestamp, properties,
                    new EventContext(ip, userAgent, country, device, extra));
        }
    }
}
