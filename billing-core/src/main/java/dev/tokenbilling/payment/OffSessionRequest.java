package dev.tokenbilling.payment;

import dev.tokenbilling.model.Money;
import java.util.Map;
import java.util.Objects;

/**
 * A payment with a saved card while the user is away (auto-recharge): a PaymentIntent created and
 * confirmed at once, {@code off_session}, keyed by {@code idempotencyKey} so that a retried call
 * makes one payment.
 */
public record OffSessionRequest(
        Money amount,
        String description,
        Map<String, String> metadata,
        String customerId,
        String paymentMethodId,
        String idempotencyKey) {

    public OffSessionRequest {
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(paymentMethodId, "paymentMethodId");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    }
}
