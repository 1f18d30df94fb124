package dev.tally.engine.schema;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a new schema version is backward compatible with the latest: at any depth it may only add
 * optional properties and change documentation keywords. Every other difference is named with its path,
 * e.g. {@code properties.shipping.properties.zip: newly required}.
 */
final class CompatibilityChecker {
    private static final Set<String> DOC_KEYWORDS = Set.of("title", "description", "$comment", "examples", "$id");

    private CompatibilityChecker() {
    }

    static List<String> incompatibleChanges(JsonNode previous, JsonNode next) {
        List<String> changes = new ArrayList<>();
        compare(previous, next, "", changes);
        return changes;
    }

    private static void compare(JsonNode previous, JsonNode next, String path, List<String> changes) {
        if (!previous.isObject() || !next.isObject()) {
            if (!previous.equals(next)) {
                changes.add(label(path) + "definition changed from " + previous + " to " + next);
            }
            return;
        }
        Set<String> keywords = new HashSet<>();
        previous.propertyNames().forEach(keywords::add);
        next.propertyNames().forEach(keywords::add);
        for (String k : keywords) {
            if (k.equals("properties") || k.equals("required") || k.equals("items") || DOC_KEYWORDS.contains(k)) {
                continue;
            }
            JsonNode a = previous.get(k);
            JsonNode b = next.get(k);
            if (a == null || !a.equals(b)) {
                String what = k.equals("type") ? "type" : "keyword '" + k + "'";
                changes.add(label(path) + what + " changed from " + a + " to " + b);
            }
        }
        JsonNode oldItems = previous.get("items");
        JsonNode newItems = next.get("items");
        if (oldItems != null || newItems != null) {
            if (oldItems == null || newItems == null) {
                changes.add(label(path) + "keyword 'items' changed from " + oldItems + " to " + newItems);
            } else {
                compare(oldItems, newItems, path.isEmpty() ? "items" : path + ".items", changes);
            }
        }
        JsonNode oldProps = previous.path("properties");
        JsonNode newProps = next.path("properties");
        for (Map.Entry<String, JsonNode> p : oldProps.properties()) {
            String child = (path.isEmpty() ? "" : path + ".") + "properties." + p.getKey();
            JsonNode now = newProps.get(p.getKey());
            if (now == null) {
                changes.add(child + ": removed");
            } else {
                compare(p.getValue(), now, child, changes);
            }
        }
        Set<String> oldRequired = names(previous.get("required"));
        for (String r : names(next.get("required"))) {
            if (!oldRequired.contains(r)) {
                changes.add((path.isEmpty() ? "" : path + ".") + "properties." + r
                        + ": newly required (new fields must be optional)");
            }
        }
    }

    private static String label(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.asString()));
        }
        return out;
    }
}
