package dev.tally.engine.schema;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a new schema version is backward compatible with the latest: it may only add optional
 * properties (and change documentation keywords). Every other difference is named.
 */
final class CompatibilityChecker {
    private static final Set<String> DOC_KEYWORDS = Set.of("title", "description", "$comment", "examples", "$id");

    private CompatibilityChecker() {
    }

    static List<String> incompatibleChanges(JsonNode previous, JsonNode next) {
        List<String> changes = new ArrayList<>();
        Set<String> keywords = new HashSet<>();
        previous.propertyNames().forEach(keywords::add);
        next.propertyNames().forEach(keywords::add);
        for (String k : keywords) {
            if (k.equals("properties") || k.equals("required") || DOC_KEYWORDS.contains(k)) {
                continue;
            }
            JsonNode a = previous.get(k);
            JsonNode b = next.get(k);
            if (a == null || !a.equals(b)) {
                changes.add("keyword '" + k + "' changed from " + a + " to " + b);
            }
        }
        JsonNode oldProps = previous.path("properties");
        JsonNode newProps = next.path("properties");
        for (Map.Entry<String, JsonNode> p : oldProps.properties()) {
            JsonNode now = newProps.get(p.getKey());
            String path = "properties." + p.getKey();
            if (now == null) {
                changes.add(path + ": removed");
            } else if (!p.getValue().equals(now)) {
                JsonNode oldType = p.getValue().get("type");
                JsonNode newType = now.get("type");
                if (oldType != null && !oldType.equals(newType)) {
                    changes.add(path + ": type changed from " + oldType + " to " + newType);
                } else {
                    changes.add(path + ": definition changed from " + p.getValue() + " to " + now);
                }
            }
        }
        Set<String> oldRequired = names(previous.get("required"));
        for (String r : names(next.get("required"))) {
            if (!oldRequired.contains(r)) {
                changes.add("properties." + r + ": newly required (new fields must be optional)");
            }
        }
        return changes;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.asString()));
        }
        return out;
    }
}
