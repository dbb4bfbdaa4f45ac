package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/** Field updates as Stripe applies them: metadata merging, and the {@code previous_attributes} diff. */
public final class Updates {
    private static final Set<String> IGNORED_IN_DIFF = Set.of("updated");

    private Updates() {}

    /**
     * Applies {@code metadata} from the parameters: keys set to {@code ""} are removed, {@code
     * metadata=""} removes all. Enforces Stripe's limits (50 keys, 40-character keys, 500-character
     * values).
     */
    public static void applyMetadata(ObjectNode target, Params params) {
        if (!params.has("metadata")) {
            return;
        }
        ObjectNode metadata = (ObjectNode) target.get("metadata");
        if (metadata == null || metadata.isNull()) {
            metadata = Json.object();
            target.set("metadata", metadata);
        }
        Map<String, String> given = params.stringMap("metadata");
        if (given == null) {
            metadata.removeAll();
            return;
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            String name = params.name("metadata") + "[" + e.getKey() + "]";
            if (e.getKey().length() > 40) {
                throw StripeApiError.invalidParam(
                        name, "Metadata keys can have up to 40 characters; " + e.getKey() + " has more.");
            }
            if (e.getValue().length() > 500) {
                throw StripeApiError.invalidParam(name, "Metadata values can have up to 500 characters.");
            }
            if (e.getValue().isEmpty()) {
                metadata.remove(e.getKey());
            } else {
                metadata.put(e.getKey(), e.getValue());
            }
        }
        if (metadata.size() > 50) {
            throw StripeApiError.invalidParam(params.name("metadata"), "Metadata can have up to 50 keys.");
        }
    }

    /** Sets a text field from a parameter when given; {@code ""} sets it to null. */
    public static void text(ObjectNode target, Params params, String param, String field) {
        if (params.has(param)) {
            String value = params.string(param);
            if (value == null) {
                target.putNull(field);
            } else {
                target.put(field, value);
            }
        }
    }

    /** Same field name on both sides. */
    public static void text(ObjectNode target, Params params, String field) {
        text(target, params, field, field);
    }

    /** Sets a boolean field from a parameter when given. */
    public static void bool(ObjectNode target, Params params, String field) {
        Boolean value = params.bool(field);
        if (value != null) {
            target.put(field, value);
        }
    }

    /** Top-level fields that differ, with their old values (Stripe's {@code previous_attributes}). */
    public static ObjectNode previousAttributes(ObjectNode before, ObjectNode after) {
        ObjectNode previous = Json.object();
        for (Map.Entry<String, JsonNode> e : before.properties()) {
            if (IGNORED_IN_DIFF.contains(e.getKey())) {
                continue;
            }
            JsonNode now = after.get(e.getKey());
            if (now == null || !now.equals(e.getValue())) {
                previous.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return previous;
    }

    /** An address object with Stripe's six fields from {@code address[...]} parameters. */
    public static ObjectNode address(Params address) {
        address.allowOnly("city", "country", "line1", "line2", "postal_code", "state");
        ObjectNode node = Json.object();
        for (String f : new String[] {"city", "country", "line1", "line2", "postal_code", "state"}) {
            String v = address.string(f);
            if (v == null) {
                node.putNull(f);
            } else {
                node.put(f, v);
            }
        }
        return node;
    }
}
