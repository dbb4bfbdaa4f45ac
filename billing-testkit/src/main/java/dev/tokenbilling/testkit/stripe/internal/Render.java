package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Answers built from stored objects: a copy, with {@code expand[]} applied. */
public final class Render {
    private Render() {}

    /** A copy of {@code node} expanded as the request asks. */
    public static ObjectNode one(FakeStripeState state, ObjectNode node, Params params) {
        return ApiShapes.forVersion(
                Expander.expand(node.deepCopy(), params.expand(), state.store()), state.apiVersion(), state.store());
    }

    /** For list items: {@code data.x} paths in the request expand {@code x} in each item. */
    public static ObjectNode item(FakeStripeState state, ObjectNode node, Params params) {
        List<String> paths = new ArrayList<>();
        for (String path : params.expand()) {
            if (path.startsWith("data.")) {
                paths.add(path.substring(5));
            }
        }
        return ApiShapes.forVersion(
                Expander.expand(node.deepCopy(), paths, state.store()), state.apiVersion(), state.store());
    }
}
