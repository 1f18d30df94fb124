package dev.tally.api;

import java.util.Map;

/** A new project and its keys, one per role. The keys are shown only here: Tally keeps only their hashes. */
public record CreatedProject(String projectId, Map<Role, String> keys) {
    public CreatedProject {
        keys = Map.copyOf(keys);
    }
}
