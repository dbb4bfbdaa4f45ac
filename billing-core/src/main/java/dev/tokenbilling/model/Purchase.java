package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's purchase of one token package, paid with one Stripe PaymentIntent.
 *
 * @param amountRefundedMinor cumulative amount Stripe refunded, in minor units
 * @param tokensReversed      tokens taken back by refunds so far (what the refunds owe, even when
 *                            the policy could not take all of it: see {@code reversalShortfall})
 * @param reversalShortfall   tokens a reversal could not take back because they were already spent
 *                            (only under {@code RefundPolicy.REVERSE_AVAILABLE_ONLY})
 * @param tokensDisputed      tokens taken back by an open or lost dispute
 */
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
        Optional<String> stripeChargeId,
        Optional<String> failureCode,
        Optional<String> failureMessage,
        long amountRefundedMinor,
        long tokensReversed,
        long reversalShortfall,
        long tokensDisputed,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> completedAt,
        Optional<Integer> validityDays) {

    /** Tokens of this purchase still with the user: neither refunded nor taken by a dispute. */
    public long tokensRemaining() {
        return tokenAmount - tokensReversed - tokensDisputed;
    }
}
