package dev.tokenbilling.payment;

import dev.tokenbilling.model.Money;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a Stripe PaymentIntent the library acts on, read from Stripe's JSON whatever its API
 * version. Webhooks and the reconciler feed the same snapshot to the same transition code.
 *
 * @param status Stripe's status: {@code requires_payment_method}, {@code requires_action},
 *               {@code processing}, {@code succeeded}, {@code canceled}, ...
 */
public record PaymentIntentSnapshot(
        String id,
        String status,
        Money amount,
        Optional<String> clientSecret,
        Map<String, String> metadata,
        Optional<String> failureCode,
        Optional<String> failureMessage,
        Optional<String> latestChargeId) {

    public PaymentIntentSnapshot {
        metadata = Map.copyOf(metadata);
    }

    @Override
    public String toString() {
        // Never print the client secret.
        return "PaymentIntentSnapshot[id=" + id + ", status=" + status + ", amount=" + amount + "]";
    }
}
