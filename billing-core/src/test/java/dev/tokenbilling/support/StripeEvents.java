package dev.tokenbilling.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.net.Webhook;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.Purchase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Stripe event payloads built by hand in Stripe's envelope, and signatures made exactly as Stripe makes them. */
public final class StripeEvents {

    public static final String SECRET = "whsec_test_secret_for_webhooks_0001";
    private static final AtomicInteger IDS = new AtomicInteger();

    private StripeEvents() {}

    public static String paymentIntentEvent(
            String type, Purchase purchase, String status, long amount, String apiVersion) {
        ObjectNode intent = StripeJson.MAPPER.createObjectNode();
        intent.put("id", purchase.paymentIntentId().orElse("pi_" + purchase.id()));
        intent.put("object", "payment_intent");
        intent.put("amount", amount);
        intent.put("currency", purchase.amount().stripeCurrency());
        intent.put("status", status);
        intent.put("client_secret", "pi_secret_x");
        intent.put("latest_charge", "ch_" + purchase.id());
        ObjectNode metadata = intent.putObject("metadata");
        metadata.put("purchase_id", Long.toString(purchase.id()));
        metadata.put("user_id", purchase.userId().value());
        if (type.equals("payment_intent.payment_failed")) {
            ObjectNode error = intent.putObject("last_payment_error");
            error.put("code", "card_declined");
            error.put("decline_code", "insufficient_funds");
            error.put("message", "Your card has insufficient funds.");
        } else {
            intent.putNull("last_payment_error");
        }
        return envelope(type, intent, apiVersion);
    }

    public static String chargeRefunded(Purchase purchase, long amountRefunded) {
        ObjectNode charge = StripeJson.MAPPER.createObjectNode();
        charge.put("id", "ch_" + purchase.id());
        charge.put("object", "charge");
        charge.put("amount", purchase.amount().minorUnits());
        charge.put("amount_refunded", amountRefunded);
        charge.put("currency", purchase.amount().stripeCurrency());
        charge.put("payment_intent", purchase.paymentIntentId().orElseThrow());
        charge.put("refunded", amountRefunded >= purchase.amount().minorUnits());
        return envelope("charge.refunded", charge, null);
    }

    /** {@code charge.refunded} as newer API versions send it (the total) or older ones (with the refunds listed). */
    public static String chargeRefundedListing(Purchase purchase, long amountRefunded, ObjectNode... refunds) {
        ObjectNode event = (ObjectNode) StripeJson.parse(chargeRefunded(purchase, amountRefunded));
        ObjectNode list = ((ObjectNode) event.path("data").path("object")).putObject("refunds");
        list.put("object", "list");
        for (ObjectNode refund : refunds) {
            list.withArray("data").add(refund);
        }
        list.put("has_more", false);
        return event.toString();
    }

    /** A Refund object of the purchase's charge. */
    public static ObjectNode refund(Purchase purchase, String refundId, long amount, String status) {
        ObjectNode refund = StripeJson.MAPPER.createObjectNode();
        refund.put("id", refundId);
        refund.put("object", "refund");
        refund.put("amount", amount);
        refund.put("charge", "ch_" + purchase.id());
        refund.put("currency", purchase.amount().stripeCurrency());
        refund.put("payment_intent", purchase.paymentIntentId().orElseThrow());
        refund.put("status", status);
        if (status.equals("failed")) {
            refund.put("failure_reason", "expired_or_canceled_card");
        }
        return refund;
    }

    /** A refund event ({@code refund.created}, {@code refund.failed}, {@code charge.refund.updated}, ...). */
    public static String refundEvent(String type, Purchase purchase, String refundId, long amount, String status) {
        return envelope(type, refund(purchase, refundId, amount, status), null);
    }

    public static String dispute(
            String type, Purchase purchase, String disputeId, String status, boolean withPaymentIntent) {
        ObjectNode dispute = StripeJson.MAPPER.createObjectNode();
        dispute.put("id", disputeId);
        dispute.put("object", "dispute");
        dispute.put("amount", purchase.amount().minorUnits());
        dispute.put("currency", purchase.amount().stripeCurrency());
        dispute.put("charge", "ch_" + purchase.id());
        if (withPaymentIntent) {
            dispute.put("payment_intent", purchase.paymentIntentId().orElseThrow());
        } else {
            dispute.putNull("payment_intent");
        }
        dispute.put("status", status);
        return envelope(type, dispute, null);
    }

    public static String event(String type, Map<String, Object> object) {
        return envelope(type, StripeJson.MAPPER.valueToTree(object), null);
    }

    private static String envelope(String type, com.fasterxml.jackson.databind.JsonNode object, String apiVersion) {
        ObjectNode event = StripeJson.MAPPER.createObjectNode();
        event.put("id", "evt_test_" + IDS.incrementAndGet() + "_" + System.nanoTime());
        event.put("object", "event");
        event.put("api_version", apiVersion == null ? com.stripe.Stripe.API_VERSION : apiVersion);
        event.put("created", Instant.now().getEpochSecond());
        event.put("livemode", false);
        event.put("pending_webhooks", 1);
        event.put("type", type);
        event.putObject("data").set("object", object);
        event.putObject("request").putNull("id");
        return event.toString();
    }

    public static String sign(String payload) {
        return sign(payload, SECRET, Instant.now());
    }

    public static String sign(String payload, String secret, Instant at) {
        try {
            return Webhook.Signature.generateSignatureHeader(payload, secret, at.getEpochSecond());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] bytes(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
