package dev.tokenbilling.payment;

import dev.tokenbilling.model.Money;
import java.util.Map;
import java.util.Optional;

/**
 * A PaymentIntent to create for a purchase; with {@code saveCard}, the card is kept on the customer
 * for off-session payments ({@code setup_future_usage=off_session}). The idempotency key is derived from the purchase id,
 * so a retried call can never create a second PaymentIntent.
 */
public record PaymentIntentRequest(
        Money amount,
        String description,
        Map<String, String> metadata,
        Optional<String> customerId,
        String idempotencyKey,
        boolean saveCard) {

    public PaymentIntentRequest {
        metadata = Map.copyOf(metadata);
        if (saveCard && customerId.isEmpty()) {
            throw new IllegalArgumentException("saving the card needs the user's customer");
        }
    }

    /** A payment whose card is not saved. */
    public PaymentIntentRequest(
            Money amount,
            String description,
            Map<String, String> metadata,
            Optional<String> customerId,
            String idempotencyKey) {
        this(amount, description, metadata, customerId, idempotencyKey, false);
    }
}
