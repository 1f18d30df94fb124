package dev.tally.http;

import dev.tally.api.InvalidRequestException;
import dev.tally.api.Principal;
import dev.tally.api.Role;
import dev.tally.api.Violation;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import tools.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/rollups {"day":"2024-01-15"}} (project admin): rolls one UTC day of the caller's project up
 * from its archived events now, replacing the day's rows; answers {@code {"day","events"}}.
 */
final class ArchiveRoutes {

    private ArchiveRoutes() {
    }

    static void mount(Routes r) {
        ServerState s = r.state;
        r.add(HttpMethod.POST, "/v1/rollups").handler(r.guard(Role.ADMIN)).handler(r.body())
                .handler(ctx -> rollup(s, ctx));
    }

    private static void rollup(ServerState s, RoutingContext ctx) {
        Principal p = Routes.principal(ctx);
        LocalDate day = day(HttpJson.readObject(Routes.bodyText(ctx)));
        s.executor.run(ctx, () -> s.project(p.projectId()).rollup(day), events -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("day", day.toString());
            out.put("events", events);
            Routes.json(ctx, 200, out);
        });
    }

    static LocalDate day(JsonNode body) {
        for (String field : body.propertyNames()) {
            if (!field.equals("day")) {
                throw new InvalidRequestException(HttpJson.shorten(field), "unknown_field",
                        "unknown field '" + HttpJson.shorten(field) + "'; expected day");
            }
        }
        JsonNode day = body.get("day");
        if (day == null || !day.isString()) {
            throw new InvalidRequestException("day", "required", "day is required, as YYYY-MM-DD (a UTC day)");
        }
        try {
            LocalDate d = LocalDate.parse(day.asString());
            if (d.getYear() < 1970 || d.getYear() > 9999) {
                throw new InvalidRequestException(List.of(new Violation("day", "out_of_range",
                        "day must be between 1970-01-01 and 9999-12-31")));
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("day", "invalid_format", "day must be YYYY-MM-DD, got '"
                    + HttpJson.shorten(day.asString()) + "'");
        }
    }
}
