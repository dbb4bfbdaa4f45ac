package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Fields Stripe sends only when {@code expand[]} names them ("includable"): an invoice's {@code
 * payments} and {@code confirmation_secret}, so {@code expand[]=latest_invoice.confirmation_secret} on
 * a subscription works as on Stripe.
 */
final class Includables {
    private Includables() {}

    /** The value of includable {@code field} of {@code object}, or null when it has none. */
    static JsonNode of(ObjectNode object, String field, ObjectStore store) {
        if (!"invoice".equals(Json.text(object, "object"))) {
            return null;
        }
        String invoiceId = object.get("id").asText();
        List<ObjectNode> payments =
                store.newestFirst("invoice_payment", ip -> invoiceId.equals(Json.text(ip, "invoice")));
        if (field.equals("payments")) {
            ArrayNode data = Json.array();
            payments.forEach(ip -> data.add(ip.deepCopy()));
            ObjectNode list = Json.object();
            list.put("object", "list");
            list.set("data", data);
            list.put("has_more", false);
            list.put("total_count", data.size());
            list.put("url", "/v1/invoice_payments?invoice=" + invoiceId);
            return list;
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
}
