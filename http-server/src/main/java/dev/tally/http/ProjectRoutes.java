package dev.tally.http;

import dev.tally.api.CreatedProject;
import dev.tally.api.InvalidRequestException;
import dev.tally.api.Role;
import dev.tally.api.Violation;
import io.vertx.core.http.HttpMethod;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/projects {"projectId"}} with the server admin key: 201 with one key per role (shown once). */
final class ProjectRoutes {
    private ProjectRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.POST, "/v1/projects").handler(r.serverAdminGuard()).handler(r.body()).handler(ctx -> {
            String projectId = projectId(HttpJson.readObject(Routes.bodyText(ctx)));
            s.executor.run(ctx, () -> s.tally.createProject(projectId), created -> Routes.json(ctx, 201, view(created)));
        });
    }

    private static String projectId(JsonNode body) {
        List<Violation> problems = new ArrayList<>();
        for (String field : body.propertyNames()) {
            if (!field.equals("projectId")) {
                problems.add(new Violation(HttpJson.shorten(field), "unknown_field",
                        "unknown field '" + HttpJson.shorten(field) + "'; expected projectId"));
            }
        }
        JsonNode id = body.get("projectId");
        if (id == null || id.isNull()) {
            problems.add(new Violation("projectId", "required", "projectId is required"));
        } else if (!id.isString()) {
            problems.add(new Violation("projectId", "type", "projectId must be a string"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return id.asString();
    }

    private static Map<String, Object> view(CreatedProject created) {
        Map<String, Object> keys = new LinkedHashMap<>();
        for (Role role : Role.values()) {
            keys.put(role.wireName(), created.keys().get(role));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("projectId", created.projectId());
        out.put("keys", keys);
        return out;
    }
}
