package dev.tally.api;

/** The project and role an authenticated API key stands for. */
public record Principal(String projectId, Role role, String keyId) {
}
