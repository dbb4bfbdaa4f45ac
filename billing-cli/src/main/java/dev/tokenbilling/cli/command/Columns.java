package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Column sets several commands share; their JSON/CSV field names are the documented, stable ones. */
final class Columns {

    private Columns() {}

    static List<Column<LedgerEntry>> ledger() {
        return List.of(
                Column.<LedgerEntry>of("ID", "id", LedgerEntry::id).right(),
                Column.<LedgerEntry>of("WHEN", "createdAt", LedgerEntry::createdAt),
                Column.<LedgerEntry>text(
                        "KIND", "kind", e -> e.kind().wireName(), e -> e.kind().wireName()),
                Column.<LedgerEntry>text("AMOUNT", "amount", LedgerEntry::amount, e -> Formats.signedTokens(e.amount()))
                        .right()
                        .styled(e -> e.amount() < 0 ? Style.RED : Style.GREEN),
                Column.<LedgerEntry>tokens("BALANCE AFTER", "balanceAfter", LedgerEntry::balanceAfter),
                Column.<LedgerEntry>text(
                        "PURCHASE",
                        "purchaseId",
                        LedgerEntry::purchaseId,
                        e -> e.purchaseId().map(String::valueOf).orElse("")),
                Column.<LedgerEntry>text(
                        "IDEMPOTENCY KEY",
                        "idempotencyKey",
                        LedgerEntry::idempotencyKey,
                        e -> Formats.shorten(e.idempotencyKey().orElse(""), 32)),
                Column.<LedgerEntry>text(
                        "DESCRIPTION",
                        "description",
                        LedgerEntry::description,
                        e -> Formats.shorten(e.description(), 50)));
    }

    static List<Column<TokenBalance>> balances() {
        return List.of(
                Column.<TokenBalance>text(
                        "USER",
                        "userId",
                        b -> b.userId().value(),
                        b -> b.userId().value()),
                Column.<TokenBalance>tokens("BALANCE", "balance", TokenBalance::balance),
                Column.<TokenBalance>tokens("AVAILABLE", "available", TokenBalance::available),
                Column.<TokenBalance>tokens("RESERVED", "reserved", TokenBalance::reserved),
                Column.<TokenBalance>tokens("PURCHASED", "totalPurchased", TokenBalance::totalPurchased),
                Column.<TokenBalance>tokens("GRANTED", "totalGranted", TokenBalance::totalGranted),
                Column.<TokenBalance>tokens("USED", "totalUsed", TokenBalance::totalUsed),
                Column.<TokenBalance>tokens("REVERSED", "totalReversed", TokenBalance::totalReversed),
                Column.<TokenBalance>tokens("ADJUSTED", "totalAdjusted", TokenBalance::totalAdjusted)
                        .hiddenInTable(),
                Column.<TokenBalance>tokens("EXPIRED", "totalExpired", TokenBalance::totalExpired)
                        .hiddenInTable(),
                Column.<TokenBalance>of("UPDATED", "updatedAt", TokenBalance::updatedAt),
                // Appended after the original fields so CSV columns keep their positions.
                Column.<TokenBalance>tokens("DEBT", "debt", TokenBalance::debt).hiddenInTable());
    }

    /** A user's lots in draw order: {@code remaining} of {@code amount} left, drawn by priority, then soonest expiry, then age. */
    static List<Column<TokenLot>> lots(Clock clock) {
        Instant now = clock.instant();
        return List.of(
                Column.<TokenLot>of("LOT", "id", TokenLot::id).right(),
                Column.<TokenLot>of("SOURCE", "source", TokenLot::source),
                Column.<TokenLot>text(
                                "REMAINING/AMOUNT",
                                "remaining",
                                TokenLot::remaining,
                                l -> Formats.tokens(l.remaining()) + " / " + Formats.tokens(l.amount()))
                        .right(),
                Column.<TokenLot>tokens("AMOUNT", "amount", TokenLot::amount).hiddenInTable(),
                Column.<TokenLot>of("PRIORITY", "priority", TokenLot::priority).right(),
                Column.<TokenLot>text(
                        "EXPIRES",
                        "expiresAt",
                        TokenLot::expiresAt,
                        l -> l.expiresAt().map(Formats::time).orElse("never")),
                Column.<TokenLot>tableOnly(
                                "EXPIRES IN",
                                l -> l.expiresAt().map(at -> expiresIn(at, now)).orElse(""))
                        .right()
                        .styled(l -> lapsed(l, now) ? Style.YELLOW : Style.PLAIN),
                Column.<TokenLot>text(
                        "PURCHASE",
                        "purchaseId",
                        TokenLot::purchaseId,
                        l -> l.purchaseId().map(String::valueOf).orElse("")),
                Column.<TokenLot>of("CREATED", "createdAt", TokenLot::createdAt));
    }

    /** Active holds: tokens reserved for requests in flight, released automatically at {@code expiresAt}. */
    static List<Column<Reservation>> holds(Clock clock) {
        Instant now = clock.instant();
        return List.of(
                Column.<Reservation>of("HOLD", "id", Reservation::id).right(),
                Column.<Reservation>tokens("AMOUNT", "amount", Reservation::amount),
                Column.<Reservation>text(
                                "STATUS",
                                "status",
                                r -> r.status().wireName(),
                                r -> r.status().wireName())
                        .hiddenInTable(),
                Column.<Reservation>of("EXPIRES", "expiresAt", Reservation::expiresAt),
                Column.<Reservation>tableOnly("EXPIRES IN", r -> expiresIn(r.expiresAt(), now))
                        .right()
                        .styled(r -> r.expiresAt().isAfter(now) ? Style.PLAIN : Style.YELLOW),
                Column.<Reservation>text(
                        "IDEMPOTENCY KEY",
                        "idempotencyKey",
                        Reservation::idempotencyKey,
                        r -> Formats.shorten(r.idempotencyKey(), 32)),
                Column.<Reservation>text(
                        "DESCRIPTION",
                        "description",
                        Reservation::description,
                        r -> Formats.shorten(r.description(), 40)),
                Column.<Reservation>of("CREATED", "createdAt", Reservation::createdAt));
    }

    /** True when the lot's expiry has passed but {@code billing expire} has not taken it out of the balance yet. */
    static boolean lapsed(TokenLot lot, Instant now) {
        return lot.expiresAt().map(at -> !at.isAfter(now)).orElse(false);
    }

    private static String expiresIn(Instant at, Instant now) {
        return at.isAfter(now) ? Durations.format(Duration.between(now, at)) : "lapsed";
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
