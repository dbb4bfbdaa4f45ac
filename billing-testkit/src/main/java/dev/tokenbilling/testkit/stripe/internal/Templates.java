package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blank objects of each kind with every field Stripe sends and Stripe's defaults, read from the JSON
 * templates beside this class; handlers fill them in.
 */
public final class Templates {
    private static final Map<String, ObjectNode> CACHE = new ConcurrentHashMap<>();

    private Templates() {}

    /** A fresh copy of the template of {@code objectType} (e.g. {@code payment_intent}). */
    public static ObjectNode blank(String objectType) {
        return CACHE.computeIfAbsent(objectType, Templates::load).deepCopy();
    }

    private static ObjectNode load(String objectType) {
        String resource = "templates/" + objectType + ".json";
        try (InputStream in = Templates.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("No template " + resource);
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
