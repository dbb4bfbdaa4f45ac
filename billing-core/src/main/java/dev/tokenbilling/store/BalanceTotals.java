package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntryKind;

/**
 * Which running total of the balance row a ledger entry moves, so that every store keeps
 * {@code balance = purchased + granted + adjusted - used - reversed - expired}. The deltas are
 * signed the way each total grows.
 */
public record BalanceTotals(long purchased, long granted, long used, long reversed, long adjusted, long expired) {

    /** The total deltas for an entry of {@code kind} whose signed amount is {@code amount}. */
    public static BalanceTotals forEntry(LedgerEntryKind kind, long amount) {
        return switch (kind) {
            case PURCHASE -> new BalanceTotals(amount, 0, 0, 0, 0, 0);
            case GRANT, ALLOWANCE -> new BalanceTotals(0, amount, 0, 0, 0, 0);
            case USAGE -> new BalanceTotals(0, 0, -amount, 0, 0, 0);
            case REFUND, DISPUTE, DISPUTE_REVERSAL, REFUND_REVERSAL -> new BalanceTotals(0, 0, 0, -amount, 0, 0);
            case ADJUSTMENT -> new BalanceTotals(0, 0, 0, 0, amount, 0);
            case EXPIRY -> new BalanceTotals(0, 0, 0, 0, 0, -amount);
            case VOID -> new BalanceTotals(0, amount, 0, 0, 0, 0);
        };
    }
}
