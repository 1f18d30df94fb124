package dev.tally.http;

import dev.tally.api.BackupSummary;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.ReplaySummary;
import dev.tally.api.RetentionSummary;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import tools.jackson.databind.JsonNode;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server maintenance with the server admin key:
 * <ul>
 *   <li>{@code POST /v1/admin/retention} (no body, or {@code {}}): runs retention now; 200 with what it did</li>
 *   <li>{@code POST /v1/admin/backup {"to":"/abs/dir"}}: writes a backup on the server's machine while ingest
 *       continues; 201 with its summary</li>
 *   <li>{@code POST /v1/admin/replay {"from":"2024-01-15T08:00:00Z"}} (or epoch millis): rebuilds the real-time
 *       windows from the log; 202 once re-aggregation has started</li>
 * </ul>
 * Bad bodies and paths are 400 with the usual error shape.
 */
final class AdminRoutes {
    private AdminRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.POST, "/v1/admin/retention").handler(r.serverAdminGuard()).handler(r.body()).handler(ctx -> {
            onlyField(ctx, null);
            s.executor.run(ctx, s.tally::runRetention, summary -> Routes.json(ctx, 200, view(summary)));
        });
        r.add(HttpMethod.POST, "/v1/admin/backup").handler(r.serverAdminGuard()).handler(r.body()).handler(ctx -> {
            Path to = path(onlyField(ctx, "to"));
            s.executor.run(ctx, () -> s.tally.backup(to), summary -> Routes.json(ctx, 201, view(summary)));
        });
        r.add(HttpMethod.POST, "/v1/admin/replay").handler(r.serverAdminGuard()).handler(r.body()).handler(ctx -> {
            Instant from = instant(onlyField(ctx, "from"));
            s.executor.run(ctx, () -> s.tally.replay(from), summary -> Routes.json(ctx, 202, view(summary)));
        });
    }

    /**
     * The body's only allowed field, {@code name} (required), or nothing for {@code name == null}; an empty
     * body counts as {@code {}}.
     */
    private static JsonNode onlyField(RoutingContext ctx, String name) {
        String text = Routes.bodyText(ctx);
        JsonNode body = text == null || text.isBlank() ? HttpJson.MAPPER.createObjectNode() : HttpJson.readObject(text);
        for (String field : body.propertyNames()) {
            if (!field.equals(name)) {
                throw new InvalidRequestException(HttpJson.shorten(field), "unknown_field", "unknown field '"
                        + HttpJson.shorten(field) + "'" + (name == null ? "; this call takes no fields" : "; expected " + name));
            }
        }
        if (name == null) {
            return null;
        }
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            throw new InvalidRequestException(name, "required", name + " is required");
        }
        return value;
    }

    private static Path path(JsonNode to) {
        if (!to.isString() || to.asString().isBlank()) {
            throw new InvalidRequestException("to", "type", "to must be a directory path as a string");
        }
        try {
            return Path.of(to.asString());
        } catch (InvalidPathException e) {
            throw new InvalidRequestException("to", "invalid_path", "to is not a valid path: "
                    + HttpJson.shorten(e.getMessage()));
        }
    }

    private static Instant instant(JsonNode from) {
        try {
            if (from.isIntegralNumber() && from.canConvertToLong()) {
                return Instant.ofEpochMilli(from.asLong());
            }
            if (from.isString()) {
                return Instant.parse(from.asString());
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below
        }
        throw new InvalidRequestException("from", "invalid_format",
                "from must be an ISO-8601 instant such as 2024-01-15T08:00:00Z, or epoch milliseconds");
    }

    private static Map<String, Object> view(RetentionSummary r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ranAt", HttpJson.instant(r.ranAt()));
        out.put("filesMovedToCold", r.filesMovedToCold());
        out.put("filesDeleted", r.filesDeleted());
        out.put("eventRowsDeleted", r.eventRowsDeleted());
        out.put("aggregatesDeleted", r.aggregatesDeleted());
        out.put("logBytesFreed", r.logBytesFreed());
        return out;
    }

    private static Map<String, Object> view(BackupSummary b) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("directory", b.directory().toString());
        out.put("createdAt", HttpJson.instant(b.createdAt()));
        out.put("backend", b.backend());
        out.put("logEnd", b.logEnd());
        out.put("archivedFiles", b.archivedFiles());
        out.put("bytes", b.bytes());
        return out;
    }

    private static Map<String, Object> view(ReplaySummary r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requested", HttpJson.instant(r.requested()));
        out.put("from", HttpJson.instant(r.from()));
        out.put("logAfter", r.logAfter());
        out.put("logUntil", r.logUntil());
        return out;
    }
}
