package dev.tokenbilling.model;

/**
 * The proof of a debit. {@code replayed} is true when the idempotency key had been used before:
 * the receipt is then the original one and nothing was debited again.
 */
public record UsageReceipt(LedgerEntry entry, boolean replayed) {

    public long tokens() {
        return -entry.amount();
    }

    public long balanceAfter() {
        return entry.balanceAfter();
    }
}
