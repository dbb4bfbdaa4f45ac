package dev.tokenbilling.model;

import java.time.Instant;

/**
 * One refund or dispute of a purchase, recorded by its Stripe id, so that every event about it moves
 * tokens at most once and only in a direction its current state allows.
 *
 * @param status         Stripe's status of the object as last applied ({@code needs_response}, {@code won}, {@code lost}, ...)
 * @param amountMinor    the money it concerns, in the purchase's minor units
 * @param tokensReversed the tokens it took from the user and has not given back
 */
public record PurchaseReversal(
        UserId userId,
        String stripeId,
        long purchaseId,
        Kind kind,
        String status,
        long amountMinor,
        long tokensReversed,
        Instant createdAt,
        Instant updatedAt) {

    /** What kind of reversal. */
    public enum Kind {
        REFUND,
        DISPUTE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Whether this is a refund whose money is (or may still be) going back to the customer: Stripe's
     * {@code succeeded}, {@code pending} and {@code requires_action}; a {@code failed} or
     * {@code canceled} refund returned nothing.
     */
    public boolean refundInEffect() {
        return kind == Kind.REFUND && !refundEnded(status);
    }

    /** Stripe's refund statuses after which its money stays with the merchant, for good. */
    public static boolean refundEnded(String status) {
        return status.equals("failed") || status.equals("canceled");
    }

    /** Stripe's final dispute states: once closed, nothing reopens it. */
    public boolean closed() {
        return status.equals("won") || status.equals("lost") || status.equals("warning_closed");
    }

    public PurchaseReversal with(String newStatus, long newTokensReversed, Instant at) {
        return new PurchaseReversal(
                userId, stripeId, purchaseId, kind, newStatus, amountMinor, newTokensReversed, createdAt, at);
    }
}
