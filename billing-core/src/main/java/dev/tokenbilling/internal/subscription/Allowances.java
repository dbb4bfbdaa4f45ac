package dev.tokenbilling.internal.subscription;

import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.UtcMonths;
import dev.tokenbilling.internal.outbox.BillingEvents;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.PostingResult;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Grants tier allowances as ledger credits of kind {@code allowance}, each under a library posting
 * reference that names what paid for it, so each is granted exactly once:
 *
 * <ul>
 *   <li>{@code allowance:<invoice id>}: a paid period (first invoice or renewal);</li>
 *   <li>{@code allowance-rollover:<invoice id>}: unused allowance carried into that period;</li>
 *   <li>{@code allowance-upgrade:<subscription>:<period start>:<tier>}: an upgrade's top-up;</li>
 *   <li>{@code allowance-free:<tier>:<yyyy-MM>}: a free tier's month.</li>
 * </ul>
 *
 * Allowance lots are drawn before every other lot ({@link #PRIORITY}) and expire at their period's
 * end plus the grace, so a renewal paid a little late never leaves the user without tokens.
 */
public final class Allowances {

    /** Allowance lots are drawn first: they expire, packs bought on top mostly do not. */
    public static final int PRIORITY = -1_000;

    /** Renewals are invoiced at the period's end and paid soon after: the old allowance lasts this long beyond it. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(2);

    private static final String SOURCE = LedgerEntryKind.ALLOWANCE.wireName();

    private final Duration grace;

    public Allowances(Duration grace) {
        this.grace = grace;
    }

    public Duration grace() {
        return grace;
    }

    /**
     * Grants one paid period's allowance of {@code tier}, and carries what the previous periods'
     * allowance lots still hold (up to the tier's rollover cap) into the new period. Nothing when
     * the invoice's allowance was granted before, or when the period (with its grace) is over.
     */
    Optional<LedgerEntry> grantPeriod(
            BillingStore tx,
            UserId user,
            SubscriptionTier tier,
            BillingInterval interval,
            String invoiceId,
            Instant periodStart,
            Instant periodEnd,
            Instant now,
            AfterCommit after) {
        Instant expiresAt = periodEnd.plus(grace);
        if (!expiresAt.isAfter(now)) {
            return Optional.empty();
        }
        String description = tier.name() + " allowance, " + periodStart + " to " + periodEnd;
        Optional<LedgerEntry> granted = credit(
                tx, user, tier.allowance(interval), "allowance:" + invoiceId, description, now, expiresAt, after);
        if (granted.isPresent() && tier.rolloverCap().isPresent()) {
            rollOver(tx, user, tier.rolloverCap().get(), invoiceId, periodStart, now, expiresAt, after);
        }
        return granted;
    }

    /** Closes the earlier periods' allowance lots and credits what they held, up to {@code cap}, to the new period. */
    private void rollOver(
            BillingStore tx,
            UserId user,
            long cap,
            String invoiceId,
            Instant periodStart,
            Instant now,
            Instant expiresAt,
            AfterCommit after) {
        long carried = 0;
        for (TokenLot lot : tx.ledger().lots(user, true)) {
            if (lot.source().equals(SOURCE)
                    && lot.expiresAt().isPresent()
                    && !lot.expiresAt().get().isAfter(periodStart.plus(grace))) {
                Optional<LedgerEntry> closed =
                        tx.ledger().closeLot(lot.id(), LedgerEntryKind.EXPIRY, "allowance period ended", now);
                carried += closed.map(entry -> -entry.amount()).orElse(0L);
                closed.ifPresent(entry -> after.add(listener -> listener.tokensDebited(entry)));
            }
        }
        long rollover = Math.min(carried, cap);
        if (rollover > 0) {
            credit(
                    tx,
                    user,
                    rollover,
                    "allowance-rollover:" + invoiceId,
                    "unused allowance carried over",
                    now,
                    expiresAt,
                    after);
        }
    }

    /**
     * Tops an upgrade up to the new tier's full allowance for the rest of the period: grants the new
     * tier's allowance minus what the user's open allowance lots still hold, expiring with the
     * current period. Nothing when they hold at least that much, or when this upgrade (subscription,
     * period, tier) was topped up before.
     */
    Optional<LedgerEntry> topUp(
            BillingStore tx,
            UserId user,
            String subscriptionId,
            SubscriptionTier to,
            BillingInterval interval,
            Instant periodStart,
            Instant periodEnd,
            Instant now,
            AfterCommit after) {
        Instant expiresAt = periodEnd.plus(grace);
        if (!expiresAt.isAfter(now)) {
            return Optional.empty();
        }
        long held = openAllowance(tx.ledger().lots(user, true));
        long missing = to.allowance(interval) - held;
        if (missing <= 0) {
            return Optional.empty();
        }
        String ref = "allowance-upgrade:" + subscriptionId + ":" + periodStart.getEpochSecond() + ":" + to.slug();
        return credit(tx, user, missing, ref, "upgrade to " + to.name(), now, expiresAt, after);
    }

    /** Grants the free tier's allowance of the current calendar month (UTC), once per month. */
    public Optional<LedgerEntry> grantFree(
            BillingStore tx, UserId user, SubscriptionTier tier, Instant now, AfterCommit after) {
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        Instant end = UtcMonths.startOfNext(now);
        return credit(
                tx,
                user,
                tier.tokensPerPeriod(),
                "allowance-free:" + tier.slug() + ":" + month,
                tier.name() + " allowance, " + month,
                now,
                end.plus(grace),
                after);
    }

    /** What the user's open allowance lots hold. */
    public static long openAllowance(List<TokenLot> openLots) {
        return openLots.stream()
                .filter(lot -> lot.source().equals(SOURCE))
                .mapToLong(TokenLot::remaining)
                .sum();
    }

    private static Optional<LedgerEntry> credit(
            BillingStore tx,
            UserId user,
            long tokens,
            String ref,
            String description,
            Instant now,
            Instant expiresAt,
            AfterCommit after) {
        LedgerPosting posting = new LedgerPosting(
                user,
                LedgerEntryKind.ALLOWANCE,
                tokens,
                Optional.empty(),
                Optional.empty(),
                Optional.of(ref),
                description,
                now,
                false,
                LotTerms.expiringAt(expiresAt).withPriority(PRIORITY));
        PostingResult result = tx.ledger().credit(posting);
        if (result instanceof PostingResult.Posted posted) {
            BillingEvents.allowanceGranted(tx, posted.entry(), now);
            after.add(listener -> listener.tokensCredited(posted.entry()));
            after.add(listener -> listener.allowanceGranted(posted.entry()));
            return Optional.of(posted.entry());
        }
        return Optional.empty();
    }
}
