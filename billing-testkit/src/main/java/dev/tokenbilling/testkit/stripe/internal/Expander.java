package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Stripe's {@code expand[]}: replaces an id field by the object it names, along dotted paths such as
 * {@code latest_charge.balance_transaction}; on lists, paths start with {@code data.}.
 */
public final class Expander {
    private Expander() {}

    /** Expands {@code paths} in {@code target} (a copy the caller owns). */
    public static ObjectNode expand(ObjectNode target, List<String> paths, ObjectStore store) {
        for (String path : paths) {
            expandPath(target, path.split("\\."), 0, store, path);
        }
        return target;
    }

    private static void expandPath(JsonNode node, String[] parts, int i, ObjectStore store, String path) {
        if (i >= parts.length || node == null) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                expandPath(element, parts, i, store, path);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        ObjectNode object = (ObjectNode) node;
        String field = parts[i];
        JsonNode value = object.get(field);
        if (value == null) {
            value = Includables.of(object, field, store);
            if (value == null) {
                throw StripeApiError.invalidParam("expand", "This property cannot be expanded (" + field + ").");
            }
            object.set(field, value);
        }
        if (value.isTextual()) {
            ObjectNode referenced = store.find(value.asText());
            if (referenced != null) {
                ObjectNode copy = referenced.deepCopy();
                object.set(field, copy);
                expandPath(copy, parts, i + 1, store, path);
            }
            return;
        }
        if (value.isArray()) {
            ArrayNode array = (ArrayNode) value;
            for (int k = 0; k < array.size(); k++) {
                JsonNode element = array.get(k);
                if (element.isTextual() && i == parts.length - 1) {
                    ObjectNode referenced = store.find(element.asText());
                    if (referenced != null) {
                        array.set(k, referenced.deepCopy());
                    }
                } else {
                    expandPath(element, parts, i + 1, store, path);
                }
            }
            return;
        }
        expandPath(value, parts, i + 1, store, path);
    }
}
