package dev.tokenbilling.payment;

import dev.tokenbilling.model.Money;
import java.util.Map;
import java.util.Optional;

/**
 * A PaymentIntent to create for a purchase. The idempotency key is derived from the purchase id,
 * so a retried call can never create a second PaymentIntent.
 */
public record PaymentIntentRequest(
        Money amount,
        String description,
        Map<String, String> metadata,
        Optional<String> customerId,
        String idempotencyKey) {

    public PaymentIntentRequest {
        metadata = Map.copyOf(metadata);
    }
}
