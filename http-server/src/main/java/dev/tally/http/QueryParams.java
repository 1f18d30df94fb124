package dev.tally.http;

import dev.tally.api.InvalidRequestException;
import dev.tally.api.Violation;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Query-string parameters of one request, checked against the names a route knows (others are a 400). */
final class QueryParams {
    private final MultiMap params;

    private QueryParams(MultiMap params) {
        this.params = params;
    }

    /** @throws InvalidRequestException for an unknown parameter or an undecodable query string */
    static QueryParams of(RoutingContext ctx, String... known) {
        MultiMap params;
        try {
            params = ctx.queryParams();
        } catch (RuntimeException e) {
            throw new InvalidRequestException("", "invalid_query_string", "the query string could not be decoded");
        }
        Set<String> allowed = Set.of(known);
        List<Violation> unknown = new ArrayList<>();
        for (String name : params.names()) {
            if (!allowed.contains(name)) {
                unknown.add(new Violation(HttpJson.shorten(name), "unknown_parameter",
                        "unknown parameter '" + HttpJson.shorten(name) + "'; expected " + String.join(", ", known)));
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException(unknown);
        }
        return new QueryParams(params);
    }

    /** The one value of a parameter, {@code null} when absent; repeating it is a 400. */
    String single(String name) {
        List<String> values = params.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new InvalidRequestException(name, "repeated", "parameter '" + name + "' given more than once");
        }
        return values.get(0);
    }

    List<String> all(String name) {
        return params.getAll(name);
    }

    int intValue(String name, int defaultValue) {
        String raw = single(name);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name, "type", name + " must be an integer, got '" + HttpJson.shorten(raw) + "'");
        }
    }
}
