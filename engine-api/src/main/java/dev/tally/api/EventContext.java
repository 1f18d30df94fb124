package dev.tally.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an event came from. {@code country} and {@code device} are metric dimensions; every other
 * entry is kept in {@link #extra()} and archived with the event.
 */
public record EventContext(String ip, String userAgent, String country, String device, Map<String, String> extra) {
    public static final EventContext EMPTY = new EventContext(null, null, null, null, Map.of());

    public EventContext {
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static EventContext of(String country, String device) {
        return new EventContext(null, null, country, device, Map.of());
    }
}
