package dev.tally.engine.schema;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the seed's per-property {@code "required": true} form into standard JSON Schema: the flag is
 * removed from the property and its name added to the parent's {@code required} array, at every depth.
 */
final class SchemaNormalizer {
    private SchemaNormalizer() {
    }

    static ObjectNode normalize(ObjectNode schema) {
        ObjectNode copy = schema.deepCopy();
        normalizeInPlace(copy);
        return copy;
    }

    private static void normalizeInPlace(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            JsonNode props = obj.get("properties");
            if (props instanceof ObjectNode properties) {
                Set<String> required = new LinkedHashSet<>();
                JsonNode existing = obj.get("required");
                if (existing instanceof ArrayNode arr) {
                    arr.forEach(n -> required.add(n.asString()));
                }
                for (Map.Entry<String, JsonNode> p : properties.properties()) {
                    if (p.getValue() instanceof ObjectNode child && child.get("required") != null
                            && child.get("required").isBoolean()) {
                        if (child.get("required").booleanValue()) {
                            required.add(p.getKey());
                        }
                        child.remove("required");
                    }
                }
                if (!required.isEmpty()) {
                    ArrayNode arr = obj.putArray("required");
                    required.forEach(arr::add);
                }
            }
            for (JsonNode child : obj.values()) {
                normalizeInPlace(child);
            }
        } else if (node instanceof ArrayNode arr) {
            arr.forEach(SchemaNormalizer::normalizeInPlace);
        }
    }
}
