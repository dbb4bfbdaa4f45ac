package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.Optional;

/**
 * One movement of tokens to append to the ledger together with the balance change. A credit of a
 * purchase, grant, positive adjustment or dispute reversal opens a lot on {@code lot}'s terms; a
 * debit draws from the user's lots.
 *
 * @param tokens         the magnitude, always positive; credit or debit decides the sign
 * @param purchaseId     the purchase the entry belongs to (a purchase credit, a reversal)
 * @param idempotencyKey scoped to the user: the ledger posts a key once (see
 *                       {@link LedgerRepository}); empty, the posting is never a duplicate
 * @param at             the entry's time
 * @param allowNegative  for debits only: may take the balance below zero (refund and dispute
 *                       reversals under the allow-negative policy); usage never sets it
 * @param lot            the terms of the lot a credit opens; debits ignore it
 */
public record LedgerPosting(
        UserId userId,
        LedgerEntryKind kind,
        long tokens,
        Optional<Long> purchaseId,
        Optional<String> idempotencyKey,
        String description,
        Instant at,
        boolean allowNegative,
        LotTerms lot) {

    public LedgerPosting {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive, was " + tokens);
        }
        java.util.Objects.requireNonNull(lot, "lot");
    }

    /** A posting whose credit, if it is one, opens a lot on the default terms. */
    public LedgerPosting(UserId userId, LedgerEntryKind kind, long tokens, Optional<Long> purchaseId, Optional<String> idempotencyKey,
            String description, Instant at, boolean allowNegative) {
        this(userId, kind, tokens, purchaseId, idempotencyKey, description, at, allowNegative, LotTerms.DEFAULT);
    }

    /** The same posting with its lot drawn and expiring on {@code terms}. */
    public LedgerPosting withLot(LotTerms terms) {
        return new LedgerPosting(userId, kind, tokens, purchaseId, idempotencyKey, description, at, allowNegative, terms);
    }

    public static LedgerPosting of(UserId userId, LedgerEntryKind kind, long tokens, String idempotencyKey,
            String description, Instant at) {
        return new LedgerPosting(userId, kind, tokens, Optional.empty(), Optional.ofNullable(idempotencyKey), description, at, false);
    }
}
