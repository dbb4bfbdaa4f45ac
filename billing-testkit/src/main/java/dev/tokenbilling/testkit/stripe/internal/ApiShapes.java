package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Objects as an older API version shows them. FakeStripe keeps billing objects in the shape of
 * 2025-03-31 ("basil") and later; before it, a subscription carried its period ({@code
 * current_period_start}/{@code _end}) itself and an invoice its {@code subscription} at the top.
 */
public final class ApiShapes {
    /** The first version with periods on subscription items and invoice {@code parent}. */
    public static final String BASIL = "2025-03-31";

    private ApiShapes() {}

    /** Reshapes {@code copy} (an answer or an event's object, never the stored one) for {@code version}. */
    public static ObjectNode forVersion(ObjectNode copy, String version) {
        if (version == null || version.compareTo(BASIL) >= 0) {
            return copy;
        }
        String object = Json.text(copy, "object");
        if ("subscription".equals(object)) {
            JsonNode item = copy.path("items").path("data").path(0);
            if (item.isObject()) {
                copy.set(
                        "current_period_start", item.get("current_period_start").deepCopy());
                copy.set("current_period_end", item.get("current_period_end").deepCopy());
            }
        } else if ("invoice".equals(object)) {
            JsonNode subscription =
                    copy.path("parent").path("subscription_details").path("subscription");
            if (subscription.isTextual()) {
                copy.put("subscription", subscription.asText());
            }
        }
        return copy;
    }
}
