package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * One row of the append-only ledger. Rows are never updated or deleted.
 *
 * @param amount       signed token count: positive credits, negative debits
 * @param balanceAfter the user's balance right after this entry
 */
public record LedgerEntry(
        long id,
        UserId userId,
        LedgerEntryKind kind,
        long amount,
        long balanceAfter,
        Optional<Long> purchaseId,
        Optional<String> idempotencyKey,
        String description,
        Instant createdAt) {}
