package dev.tally.api;

import java.util.Locale;

/** What an API key may do. {@link #ADMIN} implies the other two. */
public enum Role {
    INGEST, QUERY, ADMIN;

    public boolean permits(Role required) {
        return this == ADMIN || this == required;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
