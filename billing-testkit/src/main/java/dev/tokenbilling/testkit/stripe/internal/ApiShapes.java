package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Objects as an older API version shows them. FakeStripe keeps billing objects in the shape of
 * 2025-03-31 ("basil") and later; before it a subscription carried its period ({@code
 * current_period_start}/{@code _end}) itself, an invoice its {@code subscription}, {@code
 * subscription_details}, {@code paid}, {@code payment_intent} and {@code charge} at the top, its lines
 * {@code subscription}, {@code subscription_item}, {@code proration}, {@code type} and {@code price},
 * and PaymentIntents and charges their {@code invoice}.
 */
public final class ApiShapes {
    /** The first version with periods on subscription items, invoice {@code parent} and invoice payments. */
    public static final String BASIL = "2025-03-31";

    private ApiShapes() {}

    /**
     * Reshapes {@code copy} (an answer or an event's object, never the stored one) for {@code version};
     * {@code store} finds what the old fields named.
     */
    public static ObjectNode forVersion(ObjectNode copy, String version, ObjectStore store) {
        if (version == null || version.compareTo(BASIL) >= 0) {
            return copy;
        }
        switch (String.valueOf(Json.text(copy, "object"))) {
            case "subscription" -> {
                JsonNode item = copy.path("items").path("data").path(0);
                if (item.isObject()) {
                    copy.set(
                            "current_period_start",
                            item.get("current_period_start").deepCopy());
                    copy.set(
                            "current_period_end", item.get("current_period_end").deepCopy());
                }
            }
            case "invoice" -> invoice(copy, store);
            case "payment_intent" ->
                copy.put("invoice", invoiceOf(copy.get("id").asText(), store));
            case "charge" -> copy.put("invoice", invoiceOf(Json.text(copy, "payment_intent"), store));
            default -> {}
        }
        return copy;
    }

    private static void invoice(ObjectNode copy, ObjectStore store) {
        JsonNode details = copy.path("parent").path("subscription_details");
        if (details.isObject()) {
            copy.set("subscription", details.get("subscription").deepCopy());
            copy.set(
                    "subscription_details",
                    Json.object().set("metadata", details.get("metadata").deepCopy()));
        }
        copy.put("paid", "paid".equals(Json.text(copy, "status")));
        copy.put("paid_out_of_band", false);
        String invoiceId = copy.get("id").asText();
        ObjectNode payment = store
                .newestFirst(
                        "invoice_payment",
                        ip -> invoiceId.equals(Json.text(ip, "invoice")) && !"canceled".equals(Json.text(ip, "status")))
                .stream()
                .findFirst()
                .orElse(null);
        String pi = payment == null ? null : Json.text(payment.get("payment"), "payment_intent");
        ObjectNode intent = store.find("payment_intent", pi);
        copy.put("payment_intent", pi);
        copy.put("charge", intent == null ? null : Json.text(intent, "latest_charge"));
        for (JsonNode line : copy.path("lines").path("data")) {
            JsonNode item = line.path("parent").path("subscription_item_details");
            ObjectNode out = (ObjectNode) line;
            if (item.isObject()) {
                out.set("subscription", item.get("subscription").deepCopy());
                out.set("subscription_item", item.get("subscription_item").deepCopy());
                out.set("proration", item.get("proration").deepCopy());
                out.put("type", "subscription");
            }
            ObjectNode price = store.find(
                    "price",
                    line.path("pricing").path("price_details").path("price").asText(null));
            if (price == null) {
                out.putNull("price");
            } else {
                out.set("price", price.deepCopy());
            }
        }
    }

    /** The invoice a PaymentIntent pays, or null. */
    private static String invoiceOf(String paymentIntentId, ObjectStore store) {
        if (paymentIntentId == null) {
            return null;
        }
        return store
                .newestFirst(
                        "invoice_payment", ip -> paymentIntentId.equals(Json.text(ip.get("payment"), "payment_intent")))
                .stream()
                .findFirst()
                .map(ip -> Json.text(ip, "invoice"))
                .orElse(null);
    }
}
