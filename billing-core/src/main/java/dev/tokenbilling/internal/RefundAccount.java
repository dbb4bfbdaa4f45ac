package dev.tokenbilling.internal;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseReversal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of a purchase's money is refunded, worked out from what Stripe says about its refunds.
 *
 * <p>A refund named by its id is recorded once and counts while Stripe says it is in effect; once it
 * failed or was canceled it never counts again, whatever arrives later. A charge's cumulative
 * {@code amount_refunded} (all that some events carry) only ever raises the figure, and counts the
 * money of every failed refund as possibly still in it: a replayed, older total never takes back tokens
 * a failed refund gave back. Money a total counted before its refunds were named is "unattributed";
 * a refund named later is matched against it rather than counted twice.
 */
final class RefundAccount {

    private final Purchase purchase;
    private final Map<String, PurchaseReversal> refunds = new LinkedHashMap<>();
    private final List<PurchaseReversal> changed = new ArrayList<>();
    private long refundedMinor;

    RefundAccount(Purchase purchase, List<PurchaseReversal> recorded) {
        this.purchase = purchase;
        this.refundedMinor = purchase.amountRefundedMinor();
        recorded.stream()
                .filter(reversal -> reversal.kind() == PurchaseReversal.Kind.REFUND)
                .forEach(refund -> refunds.put(refund.stripeId(), refund));
    }

    /** Takes in one refund's current state. */
    void apply(RefundFact fact, Instant now) {
        boolean ended = PurchaseReversal.refundEnded(fact.status());
        PurchaseReversal known = refunds.get(fact.id());
        if (known != null) {
            if (!known.refundInEffect() || known.status().equals(fact.status())) {
                return; // a failed refund stays failed; a repeated state is no news
            }
            if (ended) {
                refundedMinor = Math.max(0, refundedMinor - known.amountMinor());
            }
            record(known.with(fact.status(), ended ? 0 : known.tokensReversed(), now));
            return;
        }
        long unattributed = refundedMinor - attributedMinor();
        if (ended) {
            // Counted already only if a charge total included it.
            if (unattributed >= fact.amountMinor()) {
                refundedMinor -= fact.amountMinor();
            }
        } else if (unattributed < fact.amountMinor()) {
            refundedMinor += fact.amountMinor() - unattributed;
        }
        record(new PurchaseReversal(
                purchase.userId(),
                fact.id(),
                purchase.id(),
                PurchaseReversal.Kind.REFUND,
                fact.status(),
                fact.amountMinor(),
                ended ? 0 : PurchaseTransitions.proportionalTokens(purchase, fact.amountMinor()),
                now,
                now));
    }

    /** Takes in a charge's cumulative {@code amount_refunded}. */
    void applyChargeTotal(long amountRefundedMinor) {
        long failedMinor = refunds.values().stream()
                .filter(refund -> !refund.refundInEffect())
                .mapToLong(PurchaseReversal::amountMinor)
                .sum();
        refundedMinor = Math.max(refundedMinor, amountRefundedMinor - failedMinor);
    }

    /** The money refunded now, never more than was paid. */
    long refundedMinor() {
        return Math.min(refundedMinor, purchase.amount().minorUnits());
    }

    /** How many refunds failed or were canceled: each starts a new round of reversal postings. */
    long endedRefunds() {
        return refunds.values().stream().filter(r -> !r.refundInEffect()).count();
    }

    /** The refund records to save. */
    List<PurchaseReversal> changed() {
        return List.copyOf(changed);
    }

    private long attributedMinor() {
        return refunds.values().stream()
                .filter(PurchaseReversal::refundInEffect)
                .mapToLong(PurchaseReversal::amountMinor)
                .sum();
    }

    private void record(PurchaseReversal refund) {
        refunds.put(refund.stripeId(), refund);
        changed.removeIf(earlier -> earlier.stripeId().equals(refund.stripeId()));
        changed.add(refund);
    }
}
