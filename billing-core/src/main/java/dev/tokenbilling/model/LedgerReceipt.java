package dev.tokenbilling.model;

/** The ledger entry of a grant or adjustment; {@code replayed} when its idempotency key was seen before. */
public record LedgerReceipt(LedgerEntry entry, boolean replayed) {
}
