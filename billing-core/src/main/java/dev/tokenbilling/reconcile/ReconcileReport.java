package dev.tokenbilling.reconcile;

import dev.tokenbilling.webhook.WebhookOutcome;
import java.util.List;

/**
 * One reconciler run: each stuck purchase checked, each failed webhook event retried, and each
 * subscription compared with Stripe.
 */
public record ReconcileReport(
        List<PurchaseCheck> purchases, List<WebhookOutcome> events, List<SubscriptionCheck> subscriptions) {

    public ReconcileReport {
        purchases = List.copyOf(purchases);
        events = List.copyOf(events);
        subscriptions = List.copyOf(subscriptions);
    }

    /** A run that checked no subscriptions. */
    public ReconcileReport(List<PurchaseCheck> purchases, List<WebhookOutcome> events) {
        this(purchases, events, List.of());
    }

    public long completed() {
        return purchases.stream()
                .filter(check -> check.before() != check.after()
                        && check.after() == dev.tokenbilling.model.PurchaseStatus.COMPLETED)
                .count();
    }

    public long errors() {
        return purchases.stream().filter(PurchaseCheck::error).count();
    }
}
