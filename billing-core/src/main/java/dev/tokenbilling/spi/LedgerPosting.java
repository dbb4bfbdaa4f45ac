package dev.tokenbilling.spi;

import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.Optional;

/**
 * One movement of tokens to append to the ledger together with the balance change.
 *
 * @param tokens        the magnitude, always positive; credit or debit decides the sign
 * @param allowNegative for debits only: may take the balance below zero (refund and dispute
 *                      reversals under the allow-negative policy); usage never sets it
 */
public record LedgerPosting(
        UserId userId,
        LedgerEntryKind kind,
        long tokens,
        Optional<Long> purchaseId,
        Optional<String> idempotencyKey,
        String description,
        Instant at,
        boolean allowNegative) {

    public LedgerPosting {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive, was " + tokens);
        }
    }

    public static LedgerPosting of(UserId userId, LedgerEntryKind kind, long tokens, String idempotencyKey,
            String description, Instant at) {
        return new LedgerPosting(userId, kind, tokens, Optional.empty(), Optional.ofNullable(idempotencyKey), description, at, false);
    }
}
