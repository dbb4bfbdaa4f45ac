package dev.tokenbilling.payment;

import java.util.Map;
import java.util.Objects;

/**
 * A Stripe Checkout Session to create: one line item of {@code priceId}, for {@code customerId}.
 *
 * @param subscription  {@code mode=subscription} when true, else {@code mode=payment}
 * @param metadata      set on the session and on the object it creates (the Subscription's or the
 *                      PaymentIntent's metadata), so webhooks can tell whose it is
 * @param idempotencyKey a key the library made, so a retried call creates one session
 */
public record CheckoutRequest(
        boolean subscription,
        String priceId,
        String customerId,
        String successUrl,
        String cancelUrl,
        String clientReferenceId,
        Map<String, String> metadata,
        String idempotencyKey) {

    public CheckoutRequest {
        Objects.requireNonNull(priceId, "priceId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(successUrl, "successUrl");
        Objects.requireNonNull(cancelUrl, "cancelUrl");
        metadata = Map.copyOf(metadata);
    }
}
