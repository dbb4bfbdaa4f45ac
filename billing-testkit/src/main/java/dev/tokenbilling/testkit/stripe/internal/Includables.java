package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Fields Stripe sends only when {@code expand[]} names them ("includable"): an invoice's {@code
 * payments} and {@code confirmation_secret} (so {@code expand[]=latest_invoice.confirmation_secret} on
 * a subscription works as on Stripe) and a Checkout Session's {@code line_items}.
 */
final class Includables {
    private Includables() {}

    /** The value of includable {@code field} of {@code object}, or null when it has none. */
    static JsonNode of(ObjectNode object, String field, ObjectStore store) {
        if ("checkout.session".equals(Json.text(object, "object")) && field.equals("line_items")) {
            String sessionId = object.get("id").asText();
            ArrayNode data = Json.array();
            CheckoutSessionsApi.items(store, sessionId).forEach(item -> data.add(item.deepCopy()));
            return list(data, "/v1/checkout/sessions/" + sessionId + "/line_items");
        }
        if (!"invoice".equals(Json.text(object, "object"))) {
            return null;
        }
        String invoiceId = object.get("id").asText();
        List<ObjectNode> payments =
                store.newestFirst("invoice_payment", ip -> invoiceId.equals(Json.text(ip, "invoice")));
        if (field.equals("payments")) {
            ArrayNode data = Json.array();
            payments.forEach(ip -> data.add(ip.deepCopy()));
            return list(data, "/v1/invoice_payments?invoice=" + invoiceId);
        }
        if (field.equals("confirmation_secret")) {
            ObjectNode pi = payments.stream()
                    .filter(ip -> "open".equals(Json.text(ip, "status")))
                    .findFirst()
                    .map(ip -> store.find("payment_intent", Json.text(ip.get("payment"), "payment_intent")))
                    .orElse(null);
            if (pi == null) {
                return com.fasterxml.jackson.databind.node.NullNode.getInstance();
            }
            ObjectNode secret = Json.object();
            secret.put("client_secret", pi.get("client_secret").asText());
            secret.put("type", "payment_intent");
            return secret;
        }
        return null;
    }

    private static ObjectNode list(ArrayNode data, String url) {
        ObjectNode list = Json.object();
        list.put("object", "list");
        list.set("data", data);
        list.put("has_more", false);
        list.put("total_count", data.size());
        list.put("url", url);
        return list;
    }
}
