package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.TokenBalance;
import java.util.List;

/** Column sets several commands share; their JSON/CSV field names are the documented, stable ones. */
final class Columns {

    private Columns() {
    }

    static List<Column<LedgerEntry>> ledger() {
        return List.of(
                Column.<LedgerEntry>of("ID", "id", LedgerEntry::id).right(),
                Column.<LedgerEntry>of("WHEN", "createdAt", LedgerEntry::createdAt),
                Column.<LedgerEntry>text("KIND", "kind", e -> e.kind().wireName(), e -> e.kind().wireName()),
                Column.<LedgerEntry>text("AMOUNT", "amount", LedgerEntry::amount, e -> Formats.signedTokens(e.amount())).right()
                        .styled(e -> e.amount() < 0 ? Style.RED : Style.GREEN),
                Column.<LedgerEntry>tokens("BALANCE AFTER", "balanceAfter", LedgerEntry::balanceAfter),
                Column.<LedgerEntry>text("PURCHASE", "purchaseId", LedgerEntry::purchaseId, e -> e.purchaseId().map(String::valueOf).orElse("")),
                Column.<LedgerEntry>text("IDEMPOTENCY KEY", "idempotencyKey", LedgerEntry::idempotencyKey, e -> Formats.shorten(e.idempotencyKey().orElse(""), 32)),
                Column.<LedgerEntry>text("DESCRIPTION", "description", LedgerEntry::description, e -> Formats.shorten(e.description(), 50)));
    }

    static List<Column<TokenBalance>> balances() {
        return List.of(
                Column.<TokenBalance>text("USER", "userId", b -> b.userId().value(), b -> b.userId().value()),
                Column.<TokenBalance>tokens("BALANCE", "balance", TokenBalance::balance),
                Column.<TokenBalance>tokens("AVAILABLE", "available", TokenBalance::available),
                Column.<TokenBalance>tokens("RESERVED", "reserved", TokenBalance::reserved),
                Column.<TokenBalance>tokens("PURCHASED", "totalPurchased", TokenBalance::totalPurchased),
                Column.<TokenBalance>tokens("GRANTED", "totalGranted", TokenBalance::totalGranted),
                Column.<TokenBalance>tokens("USED", "totalUsed", TokenBalance::totalUsed),
                Column.<TokenBalance>tokens("REVERSED", "totalReversed", TokenBalance::totalReversed),
                Column.<TokenBalance>tokens("ADJUSTED", "totalAdjusted", TokenBalance::totalAdjusted).hiddenInTable(),
                Column.<TokenBalance>tokens("EXPIRED", "totalExpired", TokenBalance::totalExpired).hiddenInTable(),
                Column.<TokenBalance>of("UPDATED", "updatedAt", TokenBalance::updatedAt));
    }

    static Style statusStyle(PurchaseStatus status) {
        return switch (status) {
            case COMPLETED -> Style.GREEN;
            case FAILED, DISPUTED, REFUNDED -> Style.RED;
            case PENDING, PROCESSING, REQUIRES_ACTION, PARTIALLY_REFUNDED -> Style.YELLOW;
            case CANCELED -> Style.DIM;
        };
    }
}
