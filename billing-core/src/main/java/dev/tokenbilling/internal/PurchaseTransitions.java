package dev.tokenbilling.internal;

import dev.tokenbilling.internal.outbox.BillingEvents;
import dev.tokenbilling.internal.recharge.RechargeCompletion;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseReversal;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.PostingResult;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The transition code shared by webhooks and the reconciler. Each method runs inside the caller's
 * transaction with the purchase row locked, moves the purchase and writes the ledger entries that go
 * with the move, so racing or repeated calls move tokens at most once. Each returns a short account
 * of what it did as data.
 */
public final class PurchaseTransitions {

    private final Clock clock;
    private final Supplier<RefundPolicy> refundPolicy;

    public PurchaseTransitions(Clock clock, RefundPolicy refundPolicy) {
        this(clock, () -> refundPolicy);
    }

    /** With the refund policy read when a reversal needs it (it is stored with the schema). */
    public PurchaseTransitions(Clock clock, Supplier<RefundPolicy> refundPolicy) {
        this.clock = clock;
        this.refundPolicy = refundPolicy;
    }

    /** Brings the purchase in line with its PaymentIntent: completes and credits on success, records failures. */
    public PurchaseTransition applyPaymentIntent(
            BillingStore tx, long purchaseId, PaymentIntentSnapshot intent, AfterCommit after) {
        return applyPaymentIntent(tx, lock(tx, purchaseId), intent, after);
    }

    /** {@link #applyPaymentIntent(BillingStore, long, PaymentIntentSnapshot, AfterCommit)} for a purchase the caller locked. */
    public PurchaseTransition applyPaymentIntent(
            BillingStore tx, Purchase purchase, PaymentIntentSnapshot intent, AfterCommit after) {
        long purchaseId = purchase.id();
        if (purchase.paymentIntentId().isPresent()
                && !purchase.paymentIntentId().get().equals(intent.id())) {
            throw EventFailure.permanent("PaymentIntent " + intent.id() + " does not belong to purchase " + purchaseId
                    + " (which is paid by " + purchase.paymentIntentId().get() + ")");
        }
        if (purchase.paymentIntentId().isEmpty()) {
            tx.purchases().attachPaymentIntent(purchaseId, intent.id(), clock.instant());
        }
        return switch (intent.status()) {
            case "succeeded" -> complete(tx, purchase, intent, after);
            case "processing" ->
                move(
                        tx,
                        purchase,
                        EnumSet.of(PurchaseStatus.PENDING, PurchaseStatus.REQUIRES_ACTION, PurchaseStatus.FAILED),
                        PurchaseStatus.PROCESSING,
                        Optional.empty(),
                        Optional.empty());
            case "requires_action" ->
                move(
                        tx,
                        purchase,
                        EnumSet.of(PurchaseStatus.PENDING, PurchaseStatus.PROCESSING, PurchaseStatus.FAILED),
                        PurchaseStatus.REQUIRES_ACTION,
                        Optional.empty(),
                        Optional.empty());
            case "requires_payment_method" ->
                intent.failureCode().isPresent() || intent.failureMessage().isPresent()
                        ? fail(tx, purchase, intent, after)
                        : new PurchaseTransition.Unchanged(purchaseId, "waiting for a payment method");
            case "canceled" ->
                move(tx, purchase, PurchaseStatus.OPEN, PurchaseStatus.CANCELED, Optional.empty(), Optional.empty());
            default -> new PurchaseTransition.Unchanged(purchaseId, "PaymentIntent is " + intent.status());
        };
    }

    private PurchaseTransition fail(
            BillingStore tx, Purchase purchase, PaymentIntentSnapshot intent, AfterCommit after) {
        Optional<Purchase> failed = tx.purchases()
                .transition(
                        purchase.id(),
                        PurchaseStatus.OPEN,
                        PurchaseStatus.FAILED,
                        intent.failureCode().or(() -> Optional.of("payment_failed")),
                        intent.failureMessage(),
                        clock.instant());
        failed.ifPresent(moved -> after.add(listener -> listener.purchaseFailed(moved)));
        return failed.<PurchaseTransition>map(
                        moved -> new PurchaseTransition.Moved(purchase.id(), purchase.status(), PurchaseStatus.FAILED))
                .orElse(new PurchaseTransition.Unchanged(
                        purchase.id(), "purchase is " + purchase.status().wireName()));
    }

    private PurchaseTransition complete(
            BillingStore tx, Purchase purchase, PaymentIntentSnapshot intent, AfterCommit after) {
        // A payment Stripe took after the purchase was canceled here (the user canceled while the
        // PaymentIntent was confirming) still buys the tokens: money taken always ends as tokens.
        if (!purchase.status().open() && purchase.status() != PurchaseStatus.CANCELED) {
            return new PurchaseTransition.Unchanged(
                    purchase.id(), "purchase already " + purchase.status().wireName());
        }
        if (!intent.amount().equals(purchase.amount())) {
            throw EventFailure.permanent("amount mismatch: PaymentIntent " + intent.id() + " is for " + intent.amount()
                    + " but purchase " + purchase.id() + " costs " + purchase.amount() + "; no tokens credited");
        }
        Optional<Purchase> completed = tx.purchases().complete(purchase.id(), intent.latestChargeId(), clock.instant());
        if (completed.isEmpty()) {
            return new PurchaseTransition.Unchanged(purchase.id(), "purchase already completed");
        }
        // Purchased tokens expire only if the package had a validity period when the purchase started:
        // the buyer gets the terms they saw, whatever the package says now.
        LotTerms terms = purchase.validityDays()
                .map(days -> LotTerms.expiringAt(clock.instant().plus(Duration.ofDays(days))))
                .orElse(LotTerms.DEFAULT);
        // No idempotency key: the guarded completion above and the one-credit-per-purchase index
        // already make this credit happen once, and a keyed posting would need a savepoint.
        PostingResult credit = tx.ledger()
                .credit(new LedgerPosting(
                        purchase.userId(),
                        LedgerEntryKind.PURCHASE,
                        purchase.tokenAmount(),
                        Optional.of(purchase.id()),
                        Optional.empty(),
                        "Purchase of " + purchase.packageSlug(),
                        clock.instant(),
                        false,
                        terms));
        if (!(credit instanceof PostingResult.Posted posted)) {
            throw new IllegalStateException("purchase " + purchase.id() + " completed without its credit: " + credit);
        }
        BillingEvents.purchaseCompleted(tx, completed.get(), posted.entry(), clock.instant());
        // Only the worker's PaymentIntents name an attempt: other purchases skip the lookup.
        if (intent.metadata().containsKey(RechargeCompletion.ATTEMPT_METADATA)) {
            RechargeCompletion.purchaseCompleted(tx, completed.get(), clock.instant());
        }
        after.add(listener -> listener.tokensCredited(posted.entry()));
        after.add(listener -> listener.purchaseCompleted(completed.get(), posted.entry()));
        return new PurchaseTransition.Completed(purchase.id(), purchase.tokenAmount());
    }

    private PurchaseTransition move(
            BillingStore tx,
            Purchase purchase,
            Set<PurchaseStatus> from,
            PurchaseStatus target,
            Optional<String> failureCode,
            Optional<String> failureMessage) {
        return tx.purchases()
                .transition(purchase.id(), from, target, failureCode, failureMessage, clock.instant())
                .<PurchaseTransition>map(
                        moved -> new PurchaseTransition.Moved(purchase.id(), purchase.status(), target))
                .orElse(new PurchaseTransition.Unchanged(
                        purchase.id(), "purchase is " + purchase.status().wireName()));
    }

    /**
     * Applies what Stripe says of a purchase's refunds: refunds by id (from refund events, or the list a
     * charge carries) and, when given, the charge's cumulative {@code amount_refunded}. The tokens the
     * refunded money stands for (in proportion, rounded down) are taken back; when a refund fails or is
     * canceled, what it took is given back. Repeated, stale and out-of-order facts move nothing twice
     * (see {@link RefundAccount}).
     */
    public PurchaseTransition applyRefunds(
            BillingStore tx,
            long purchaseId,
            List<RefundFact> refunds,
            OptionalLong chargeTotalMinor,
            AfterCommit after) {
        Purchase purchase = lockPaid(tx, purchaseId, "refund");
        if (!purchase.status().credited()) {
            return new PurchaseTransition.Unchanged(
                    purchase.id(), "purchase is " + purchase.status().wireName());
        }
        RefundAccount account = new RefundAccount(purchase, tx.purchases().reversals(purchase.userId(), purchase.id()));
        refunds.forEach(refund -> account.apply(refund, clock.instant()));
        chargeTotalMinor.ifPresent(account::applyChargeTotal);
        account.changed().forEach(tx.purchases()::saveReversal);

        long refunded = account.refundedMinor();
        long owed = proportionalTokens(purchase, refunded);
        boolean disputed = purchase.status() == PurchaseStatus.DISPUTED;
        PurchaseStatus status = statusAfter(purchase, refunded, disputed);
        if (owed < purchase.tokensReversed()) {
            return restoreFailedRefund(tx, purchase, refunded, owed, status, account.endedRefunds(), after);
        }
        if (owed == purchase.tokensReversed()) {
            if (refunded == purchase.amountRefundedMinor()) {
                return new PurchaseTransition.Unchanged(purchase.id(), "refunds already applied");
            }
            // Too little money to stand for a whole token: the figures (and maybe the status) move, the tokens stay.
            tx.purchases()
                    .recordReversal(
                            purchase.id(),
                            status,
                            refunded,
                            owed,
                            purchase.reversalShortfall(),
                            purchase.tokensDisputed(),
                            clock.instant());
            return status == purchase.status()
                    ? new PurchaseTransition.Unchanged(purchase.id(), "refund recorded, too small to stand for a token")
                    : new PurchaseTransition.Moved(purchase.id(), purchase.status(), status);
        }
        long delta = owed - purchase.tokensReversed();
        // Tokens a dispute already took are not taken twice: they move from the dispute to the refund.
        long fromDispute = Math.min(delta, purchase.tokensDisputed());
        long toDebit = delta - fromDispute;
        // Within one round (no refund ended yet, or since the last one ended) "owed" only grows, so the
        // reference names each reversal once.
        long round = account.endedRefunds();
        long taken = takeBack(
                tx,
                purchase,
                LedgerEntryKind.REFUND,
                toDebit,
                "refund-" + purchase.id() + "-" + owed + (round == 0 ? "" : "-round-" + round),
                "Refund of purchase " + purchase.id(),
                after);
        tx.purchases()
                .recordReversal(
                        purchase.id(),
                        status,
                        refunded,
                        owed,
                        purchase.reversalShortfall() + (toDebit - taken),
                        purchase.tokensDisputed() - fromDispute,
                        clock.instant());
        return new PurchaseTransition.Reversed(purchase.id(), status, taken, toDebit - taken);
    }

    /** A refund ended without returning the money: the tokens it stood for go back, on the purchase's terms. */
    private PurchaseTransition restoreFailedRefund(
            BillingStore tx,
            Purchase purchase,
            long refunded,
            long owed,
            PurchaseStatus status,
            long round,
            AfterCommit after) {
        long returned = purchase.tokensReversed() - owed;
        // Tokens the refund could not take (already spent) are not given back: they were never taken.
        long neverTaken = Math.min(returned, purchase.reversalShortfall());
        long credit = returned - neverTaken;
        giveBack(
                tx,
                purchase,
                LedgerEntryKind.REFUND_REVERSAL,
                credit,
                "refund-failed-" + purchase.id() + "-round-" + round,
                "Refund of purchase " + purchase.id() + " failed",
                after);
        tx.purchases()
                .recordReversal(
                        purchase.id(),
                        status,
                        refunded,
                        owed,
                        purchase.reversalShortfall() - neverTaken,
                        purchase.tokensDisputed(),
                        clock.instant());
        return new PurchaseTransition.RefundFailed(purchase.id(), status, credit);
    }

    /**
     * Applies what Stripe says of one dispute, recorded by its id, so that every event moves tokens at
     * most once and only in a direction the dispute's state allows: an open dispute takes back its own
     * amount's share of the purchase's tokens (what the purchase still has at most); a won one gives
     * back what it took; a lost one keeps it taken (and takes it, when the dispute was never seen
     * open). Once a dispute is closed, no later or replayed event about it changes anything.
     */
    public PurchaseTransition applyDispute(
            BillingStore tx, long purchaseId, String disputeId, String status, long amountMinor, AfterCommit after) {
        Purchase purchase = lockPaid(tx, purchaseId, "dispute");
        if (!purchase.status().credited()) {
            return new PurchaseTransition.Unchanged(
                    purchase.id(), "purchase is " + purchase.status().wireName());
        }
        Optional<PurchaseReversal> recorded = tx.purchases().findReversal(purchase.userId(), disputeId);
        if (recorded.isPresent() && recorded.get().closed()) {
            return new PurchaseTransition.Unchanged(
                    purchase.id(),
                    "dispute " + disputeId + " already " + recorded.get().status());
        }
        boolean won = status.equals("won") || status.equals("warning_closed");
        boolean lost = status.equals("lost");
        if (recorded.isEmpty()) {
            PurchaseReversal opened = new PurchaseReversal(
                    purchase.userId(),
                    disputeId,
                    purchase.id(),
                    PurchaseReversal.Kind.DISPUTE,
                    status,
                    amountMinor,
                    0,
                    clock.instant(),
                    clock.instant());
            if (won) {
                // Won before it was ever seen open: nothing was taken, and nothing will be.
                tx.purchases().saveReversal(opened);
                return new PurchaseTransition.Unchanged(
                        purchase.id(), "dispute " + disputeId + " won before it was seen open");
            }
            return openDispute(tx, purchase, opened, after);
        }
        PurchaseReversal open = recorded.get();
        if (won) {
            return reinstate(tx, purchase, open, status, after);
        }
        tx.purchases().saveReversal(open.with(status, open.tokensReversed(), clock.instant()));
        return new PurchaseTransition.Unchanged(
                purchase.id(),
                lost
                        ? "dispute " + disputeId + " lost, " + open.tokensReversed() + " tokens stay reversed"
                        : "dispute " + disputeId + " still " + status);
    }

    private PurchaseTransition openDispute(
            BillingStore tx, Purchase purchase, PurchaseReversal dispute, AfterCommit after) {
        // A partial dispute takes back its own amount's share, never more than the purchase still has.
        long owed = Math.min(proportionalTokens(purchase, dispute.amountMinor()), purchase.tokensRemaining());
        long taken = takeBack(
                tx,
                purchase,
                LedgerEntryKind.DISPUTE,
                owed,
                "dispute-" + purchase.id() + "-" + dispute.stripeId(),
                "Dispute " + dispute.stripeId() + " on purchase " + purchase.id(),
                after);
        tx.purchases().saveReversal(dispute.with(dispute.status(), taken, clock.instant()));
        tx.purchases()
                .recordReversal(
                        purchase.id(),
                        PurchaseStatus.DISPUTED,
                        purchase.amountRefundedMinor(),
                        purchase.tokensReversed(),
                        purchase.reversalShortfall() + (owed - taken),
                        purchase.tokensDisputed() + taken,
                        clock.instant());
        return new PurchaseTransition.Reversed(purchase.id(), PurchaseStatus.DISPUTED, taken, owed - taken);
    }

    /** The terms of the purchase's own lot, so tokens a won dispute gives back lapse when the purchase's would have. */
    private static LotTerms purchaseLotTerms(BillingStore tx, Purchase purchase) {
        return tx.ledger().lots(purchase.userId(), false).stream()
                .filter(lot ->
                        lot.source().equals("purchase") && lot.purchaseId().equals(Optional.of(purchase.id())))
                .findFirst()
                .map(lot -> new LotTerms(lot.priority(), lot.expiresAt()))
                .orElse(LotTerms.DEFAULT);
    }

    private PurchaseTransition reinstate(
            BillingStore tx, Purchase purchase, PurchaseReversal dispute, String status, AfterCommit after) {
        long reinstated = dispute.tokensReversed();
        giveBack(
                tx,
                purchase,
                LedgerEntryKind.DISPUTE_REVERSAL,
                reinstated,
                "dispute-won-" + purchase.id() + "-" + dispute.stripeId(),
                "Dispute " + dispute.stripeId() + " won",
                after);
        tx.purchases().saveReversal(dispute.with(status, 0, clock.instant()));
        long stillDisputed = Math.max(0, purchase.tokensDisputed() - reinstated);
        PurchaseStatus settled = statusAfter(purchase, purchase.amountRefundedMinor(), stillDisputed > 0);
        tx.purchases()
                .recordReversal(
                        purchase.id(),
                        settled,
                        purchase.amountRefundedMinor(),
                        purchase.tokensReversed(),
                        purchase.reversalShortfall(),
                        stillDisputed,
                        clock.instant());
        return new PurchaseTransition.Reinstated(purchase.id(), settled, reinstated);
    }

    /** Credits {@code tokens} a reversal had taken back, on the purchase's own lot terms; nothing for none. */
    private void giveBack(
            BillingStore tx,
            Purchase purchase,
            LedgerEntryKind kind,
            long tokens,
            String key,
            String description,
            AfterCommit after) {
        if (tokens <= 0) {
            return;
        }
        LedgerPosting restoration = LedgerPosting.library(
                purchase.userId(),
                kind,
                tokens,
                purchase.id(),
                key,
                description,
                clock.instant(),
                false,
                purchaseLotTerms(tx, purchase));
        PostingResult result = tx.ledger().credit(restoration);
        if (result instanceof PostingResult.Duplicate duplicate) {
            requireSamePosting(duplicate, restoration, tokens);
        } else if (result instanceof PostingResult.Posted posted) {
            after.add(listener -> listener.tokensCredited(posted.entry()));
        }
    }

    /** Debits up to {@code tokens} as the policy allows; returns how many were taken. */
    private long takeBack(
            BillingStore tx,
            Purchase purchase,
            LedgerEntryKind kind,
            long tokens,
            String key,
            String description,
            AfterCommit after) {
        if (tokens <= 0) {
            return 0;
        }
        boolean allowNegative = refundPolicy.get() == RefundPolicy.ALLOW_NEGATIVE_BALANCE;
        long take = allowNegative
                ? tokens
                : Math.min(tokens, tx.ledger().balance(purchase.userId()).available());
        if (take <= 0) {
            return 0;
        }
        LedgerPosting reversal = LedgerPosting.library(
                purchase.userId(),
                kind,
                take,
                purchase.id(),
                key,
                description,
                clock.instant(),
                allowNegative,
                LotTerms.DEFAULT);
        PostingResult result = tx.ledger().debit(reversal);
        if (result instanceof PostingResult.Duplicate duplicate) {
            requireSamePosting(duplicate, reversal, -take);
        }
        if (result instanceof PostingResult.Insufficient) {
            // Usage raced us for the same tokens: let the event be retried with a fresh balance.
            throw EventFailure.retryable("balance changed while reversing tokens of purchase " + purchase.id());
        }
        if (result instanceof PostingResult.Posted posted) {
            BillingEvents.reversalApplied(
                    tx,
                    kind == LedgerEntryKind.DISPUTE ? "dispute.applied" : "refund.applied",
                    purchase,
                    posted.entry(),
                    clock.instant());
            after.add(listener -> listener.tokensDebited(posted.entry()));
        }
        return take;
    }

    /**
     * A library reference that is taken counts as done only when its entry is this very posting (same
     * kind, purchase and amount); anything else is a fault an operator must look at, never a silent success.
     */
    private static void requireSamePosting(
            PostingResult.Duplicate duplicate, LedgerPosting posting, long signedAmount) {
        var original = duplicate.original();
        if (original.kind() != posting.kind()
                || !original.purchaseId().equals(posting.purchaseId())
                || original.amount() != signedAmount) {
            throw EventFailure.permanent(
                    "ledger reference " + posting.postingRef().orElse("") + " was used by another posting ("
                            + original.kind().wireName() + " of " + original.amount() + "); nothing reversed");
        }
    }

    /** Where a credited purchase stands after its reversals: disputed while a dispute holds tokens, else by how much was refunded. */
    private static PurchaseStatus statusAfter(Purchase purchase, long refundedMinor, boolean disputed) {
        if (disputed) {
            return PurchaseStatus.DISPUTED;
        }
        if (refundedMinor == 0) {
            return PurchaseStatus.COMPLETED;
        }
        return refundedMinor >= purchase.amount().minorUnits()
                ? PurchaseStatus.REFUNDED
                : PurchaseStatus.PARTIALLY_REFUNDED;
    }

    static long proportionalTokens(Purchase purchase, long refundedMinor) {
        if (refundedMinor >= purchase.amount().minorUnits()) {
            return purchase.tokenAmount();
        }
        // tokens × refunded / amount without overflow; rounded down so partial refunds never over-reverse.
        return BigInteger.valueOf(purchase.tokenAmount())
                .multiply(BigInteger.valueOf(refundedMinor))
                .divide(BigInteger.valueOf(purchase.amount().minorUnits()))
                .longValueExact();
    }

    /** Locks a purchase whose payment is recorded; a reversal that beats the payment's own event is retried later. */
    private static Purchase lockPaid(BillingStore tx, long purchaseId, String reversal) {
        Purchase purchase = lock(tx, purchaseId);
        if (purchase.status().open()) {
            throw EventFailure.retryable("purchase " + purchaseId + " is "
                    + purchase.status().wireName() + "; the " + reversal + " applies once its payment is recorded");
        }
        return purchase;
    }

    private static Purchase lock(BillingStore tx, long purchaseId) {
        return tx.purchases()
                .findByIdForUpdate(purchaseId)
                .orElseThrow(() -> EventFailure.permanent("unknown purchase " + purchaseId));
    }
}
