package dev.tokenbilling.internal.observe;

import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.reconcile.SubscriptionCheck;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;

/** The reconciler's passes observed; listing stuck purchases (a read) is not. */
public final class ObservedReconciler implements Reconciler {

    private final Reconciler delegate;
    private final Observe observe;

    public ObservedReconciler(Reconciler delegate, BillingObserver observer) {
        this.delegate = delegate;
        this.observe = new Observe(observer);
    }

    @Override
    public ReconcileReport run(Duration olderThan, int limit) {
        return observe.run("billing.reconciler.run", () -> delegate.run(olderThan, limit));
    }

    @Override
    public List<SubscriptionCheck> reconcileSubscriptions(int limit) {
        return observe.run("billing.reconciler.subscriptions", () -> delegate.reconcileSubscriptions(limit));
    }

    @Override
    public List<PurchaseCheck> reconcilePurchases(Duration olderThan, int limit) {
        return observe.run("billing.reconciler.purchases", () -> delegate.reconcilePurchases(olderThan, limit));
    }

    @Override
    public List<Purchase> stuckPurchases(Duration olderThan, int limit) {
        return delegate.stuckPurchases(olderThan, limit);
    }

    @Override
    public List<WebhookOutcome> retryFailedEvents(int limit) {
        return observe.run("billing.reconciler.retry-events", () -> delegate.retryFailedEvents(limit));
    }

    @Override
    public MissedEventsReport fetchMissedEvents(Duration since) {
        return observe.run("billing.reconciler.fetch-missed", () -> delegate.fetchMissedEvents(since));
    }
}
