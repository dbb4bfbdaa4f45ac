package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One movement of tokens to append to the ledger together with the balance change. A credit of a
 * purchase, grant, positive adjustment or dispute reversal opens a lot on {@code lot}'s terms; a
 * debit draws from the user's lots.
 *
 * <p>Two key spaces: {@code idempotencyKey} is a caller's key (usage, grants, adjustments);
 * {@code postingRef} is a reference the library makes for its own postings (refunds, disputes,
 * settlements, expiry, voids). A posting has at most one of them, and a store keeps each unique per
 * user on its own, so no caller's key can ever stand in for a library posting.
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
        Optional<String> postingRef,
        String description,
        Instant at,
        boolean allowNegative,
        LotTerms lot) {

    public LedgerPosting {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive, was " + tokens);
        }
        Objects.requireNonNull(lot, "lot");
        if (idempotencyKey.isPresent() && postingRef.isPresent()) {
            throw new IllegalArgumentException("a posting has a caller key or a library reference, not both");
        }
    }

    /** A caller-keyed posting whose credit, if it is one, opens a lot on {@code lot}'s terms. */
    public LedgerPosting(
            UserId userId,
            LedgerEntryKind kind,
            long tokens,
            Optional<Long> purchaseId,
            Optional<String> idempotencyKey,
            String description,
            Instant at,
            boolean allowNegative,
            LotTerms lot) {
        this(userId, kind, tokens, purchaseId, idempotencyKey, Optional.empty(), description, at, allowNegative, lot);
    }

    /** A caller-keyed posting whose credit, if it is one, opens a lot on the default terms. */
    public LedgerPosting(
            UserId userId,
            LedgerEntryKind kind,
            long tokens,
            Optional<Long> purchaseId,
            Optional<String> idempotencyKey,
            String description,
            Instant at,
            boolean allowNegative) {
        this(userId, kind, tokens, purchaseId, idempotencyKey, description, at, allowNegative, LotTerms.DEFAULT);
    }

    /** The same posting with its lot drawn and expiring on {@code terms}. */
    public LedgerPosting withLot(LotTerms terms) {
        return new LedgerPosting(
                userId, kind, tokens, purchaseId, idempotencyKey, postingRef, description, at, allowNegative, terms);
    }

    /** A posting under a caller's idempotency key. */
    public static LedgerPosting of(
            UserId userId, LedgerEntryKind kind, long tokens, String idempotencyKey, String description, Instant at) {
        return new LedgerPosting(
                userId, kind, tokens, Optional.empty(), Optional.ofNullable(idempotencyKey), description, at, false);
    }

    /** A posting the library makes for a purchase, under its own reference (never a caller's key). */
    public static LedgerPosting library(
            UserId userId,
            LedgerEntryKind kind,
            long tokens,
            long purchaseId,
            String postingRef,
            String description,
            Instant at,
            boolean allowNegative,
            LotTerms lot) {
        return new LedgerPosting(
                userId,
                kind,
                tokens,
                Optional.of(purchaseId),
                Optional.empty(),
                Optional.of(postingRef),
                description,
                at,
                allowNegative,
                lot);
    }
}
