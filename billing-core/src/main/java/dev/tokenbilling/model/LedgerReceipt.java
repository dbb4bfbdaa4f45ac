package dev.tokenbilling.model;

import java.util.Optional;

/**
 * The ledger entry of a grant or adjustment, and the lot a credit opened (empty for debits);
 * {@code replayed} when its idempotency key was seen before and nothing changed this time.
 */
public record LedgerReceipt(LedgerEntry entry, Optional<TokenLot> lot, boolean replayed) {}
