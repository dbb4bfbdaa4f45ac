package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's token account. {@code balance} always equals
 * {@code totalPurchased + totalGranted + totalAdjusted - totalUsed - totalReversed - totalExpired},
 * and the sum of the user's ledger entries. {@code reserved} tokens are held for in-flight usage;
 * {@link #available()} is what can be spent now. The balance may be negative only after a refund or
 * dispute took back tokens that were already spent.
 *
 * @param totalReversed tokens taken back by refunds and disputes, net of disputes won
 * @param totalAdjusted signed sum of admin adjustments
 * @param debt          tokens a refund or dispute took beyond what the user's lots held; the next
 *                      credits pay it first (always {@code -balance} when the balance is negative)
 */
public record TokenBalance(
        UserId userId,
        long balance,
        long reserved,
        long totalPurchased,
        long totalGranted,
        long totalUsed,
        long totalReversed,
        long totalAdjusted,
        long totalExpired,
        long debt,
        Optional<Instant> updatedAt) {

    /** The balance of a user who never had a ledger entry. */
    public static TokenBalance empty(UserId userId) {
        return new TokenBalance(userId, 0, 0, 0, 0, 0, 0, 0, 0, 0, Optional.empty());
    }

    /** Tokens that can be spent now: balance minus reservations, never below zero. */
    public long available() {
        return Math.max(0, balance - reserved);
    }
}
