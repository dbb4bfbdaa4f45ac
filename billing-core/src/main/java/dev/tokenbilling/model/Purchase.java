package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/** A user's purchase of one token package, paid with one Stripe PaymentIntent. */
public record Purchase(
        long id,
        UserId userId,
        long packageId,
        String packageSlug,
        long tokenAmount,
        Money amount,
        PurchaseStatus status,
        Optional<String> paymentIntentId,
        Optional<String> stripeCustomerId,
        Optional<String> failureCode,
        Optional<String> failureMessage,
        long amountRefundedMinor,
        long tokensReversed,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> completedAt) {
}
