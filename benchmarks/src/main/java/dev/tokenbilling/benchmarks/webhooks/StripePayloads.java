package dev.tokenbilling.benchmarks.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * {@code payment_intent.succeeded} events in Stripe's envelope, and their signatures made exactly as
 * Stripe makes them ({@code Webhook.Signature.generateSignatureHeader(payload, secret, unixSeconds)}).
 */
final class StripePayloads {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StripePayloads() {}

    /** The event Stripe sends when the PaymentIntent of a purchase succeeds; {@code purchase_id} in its metadata as the library sets it. */
    static String paymentIntentSucceeded(
            String eventId,
            String paymentIntentId,
            String chargeId,
            long purchaseId,
            String userId,
            long amountMinor,
            String currency,
            long createdSeconds) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("id", eventId);
        event.put("object", "event");
        event.put("api_version", com.stripe.Stripe.API_VERSION);
        event.put("created", createdSeconds);
        event.put("livemode", false);
        event.put("pending_webhooks", 1);
        event.put("type", "payment_intent.succeeded");
        ObjectNode intent = event.putObject("data").putObject("object");
        intent.put("id", paymentIntentId);
        intent.put("object", "payment_intent");
        intent.put("amount", amountMinor);
        intent.put("amount_received", amountMinor);
        intent.put("currency", currency);
        intent.put("status", "succeeded");
        ObjectNode metadata = intent.putObject("metadata");
        metadata.put("purchase_id", Long.toString(purchaseId));
        metadata.put("user_id", userId);
        intent.put("latest_charge", chargeId);
        intent.putNull("last_payment_error");
        event.putObject("request").putNull("id").putNull("idempotency_key");
        return event.toString();
    }

    static SignedEvent signed(String eventId, String payload, String secret, long unixSeconds) {
        return new SignedEvent(eventId, payload.getBytes(StandardCharsets.UTF_8), sign(payload, secret, unixSeconds));
    }

    static String sign(String payload, String secret, long unixSeconds) {
        try {
            return Webhook.Signature.generateSignatureHeader(payload, secret, unixSeconds);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a webhook payload: " + e.getMessage(), e);
        }
    }

    /**
     * Checks, before anything is measured, that a header made here verifies with stripe-java (what
     * the library runs) and with the baseline's own check, and that a wrong secret fails both: a
     * benchmark whose signatures never verify would measure rejections.
     */
    static void checkSigning(String secret) {
        long now = System.currentTimeMillis() / 1000;
        String payload = paymentIntentSucceeded("evt_check", "pi_check", "ch_check", 1, "user", 2000, "usd", now);
        String header = sign(payload, secret, now);
        try {
            Webhook.Signature.verifyHeader(payload, header, secret, 300);
        } catch (SignatureVerificationException e) {
            throw new IllegalStateException(
                    "stripe-java does not verify the benchmark's own signature: " + e.getMessage(), e);
        }
        RawSignature raw = new RawSignature(secret, 300);
        if (!raw.verify(payload, header, now)) {
            throw new IllegalStateException("the baseline's HMAC check does not verify a Stripe signature");
        }
        if (new RawSignature(secret + "x", 300).verify(payload, header, now)
                || raw.verify(payload + " ", header, now)) {
            throw new IllegalStateException("the baseline's HMAC check accepts what it must refuse");
        }
    }
}
