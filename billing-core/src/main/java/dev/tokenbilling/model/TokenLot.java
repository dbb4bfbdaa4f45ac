package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A credit's tokens as a lot: debits draw from open lots by {@code priority} (lower first), then
 * soonest expiry, then age. A lot with an expiry leaves the balance through an {@code expiry}
 * ledger entry once it lapses.
 *
 * @param source  {@code purchase}, {@code grant}, {@code adjustment}, {@code dispute_reversal}, {@code refund_reversal} or {@code migration}
 * @param entryId the ledger entry that credited the lot (empty for lots carried over by a migration)
 */
public record TokenLot(
        long id,
        UserId userId,
        String source,
        Optional<Long> entryId,
        Optional<Long> purchaseId,
        long amount,
        long remaining,
        int priority,
        Optional<Instant> expiresAt,
        Instant createdAt,
        Optional<Instant> closedAt,
        Optional<String> closedReason) {}
