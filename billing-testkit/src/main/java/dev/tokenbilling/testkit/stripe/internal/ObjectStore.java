package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every Stripe object FakeStripe holds, by id, in creation order. Not thread-safe on its own: callers
 * hold {@link FakeStripeState#lock()}.
 */
public final class ObjectStore {
    private final Map<String, ObjectNode> byId = new LinkedHashMap<>();

    /** Stores (or replaces) an object under its {@code id}. */
    public ObjectNode put(ObjectNode object) {
        byId.put(object.get("id").asText(), object);
        return object;
    }

    /** The object with this id and {@code object} type, or null. */
    public ObjectNode find(String objectType, String id) {
        if (id == null) {
            return null;
        }
        ObjectNode node = byId.get(id);
        return node != null && objectType.equals(Json.text(node, "object")) ? node : null;
    }

    /** Any object with this id, or null. */
    public ObjectNode find(String id) {
        return id == null ? null : byId.get(id);
    }

    /** The object, or a 404 {@code resource_missing} naming {@code param}. */
    public ObjectNode require(String objectType, String id, String param) {
        ObjectNode node = find(objectType, id);
        if (node == null) {
            throw StripeApiError.resourceMissing(objectType, id, param);
        }
        return node;
    }

    /** Whether an id is taken. */
    public boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** Removes an object. */
    public void remove(String id) {
        byId.remove(id);
    }

    /** Objects of a type, newest first, as Stripe lists them. */
    public List<ObjectNode> newestFirst(String objectType, Predicate<ObjectNode> filter) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode node : byId.values()) {
            if (objectType.equals(Json.text(node, "object")) && filter.test(node)) {
                out.add(node);
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** Objects of a type, oldest first. */
    public List<ObjectNode> oldestFirst(String objectType) {
        List<ObjectNode> out = newestFirst(objectType, n -> true);
        Collections.reverse(out);
        return out;
    }

    /** Forgets everything. */
    public void clear() {
        byId.clear();
    }
}
