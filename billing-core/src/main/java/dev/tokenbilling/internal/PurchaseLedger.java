package dev.tokenbilling.internal;

import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.spi.BillingStore;
import dev.tokenbilling.spi.LedgerPosting;
import dev.tokenbilling.spi.PostingResult;
import java.time.Clock;
import java.util.Optional;

/**
 * The transition code shared by webhooks and the reconciler: a purchase status change and the
 * ledger entry that goes with it commit together, and only the caller that wins the guarded
 * transition writes the entry. Racing or repeated calls therefore credit at most once.
 */
public final class PurchaseLedger {

    private final BillingStore store;
    private final Clock clock;

    public PurchaseLedger(BillingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Completes the purchase and credits its tokens, exactly once. Returns the completed purchase
     * when this call did it; empty when it was already completed (or is in a state that cannot
     * complete, such as canceled).
     */
    public Optional<Purchase> complete(long purchaseId) {
        return store.inTransaction(tx -> {
            Optional<Purchase> won = tx.purchases().transition(purchaseId, PurchaseStatus.COMPLETED,
                    Optional.empty(), Optional.empty(), clock.instant());
            won.ifPresent(purchase -> {
                PostingResult credited = tx.ledger().credit(new LedgerPosting(purchase.userId(), LedgerEntryKind.PURCHASE,
                        purchase.tokenAmount(), Optional.of(purchase.id()), Optional.empty(),
                        "Purchase of " + purchase.packageSlug(), clock.instant(), false));
                if (!(credited instanceof PostingResult.Posted)) {
                    throw new IllegalStateException("purchase " + purchaseId + " completed without a credit: " + credited);
                }
            });
            return won;
        });
    }

    /** Moves an open purchase to a status that moves no tokens (processing, requires_action, failed, canceled). */
    public Optional<Purchase> markOpenStatus(long purchaseId, PurchaseStatus status, Optional<String> failureCode,
            Optional<String> failureMessage) {
        if (status.credited()) {
            throw new IllegalArgumentException(status + " moves tokens; use complete()");
        }
        return store.purchases().transition(purchaseId, status, failureCode, failureMessage, clock.instant());
    }
}
