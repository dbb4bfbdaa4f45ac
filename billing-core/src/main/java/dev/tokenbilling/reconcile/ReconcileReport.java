package dev.tokenbilling.reconcile;

import dev.tokenbilling.webhook.WebhookOutcome;
import java.util.List;

/** One reconciler run: each stuck purchase checked, and each failed webhook event retried. */
public record ReconcileReport(List<PurchaseCheck> purchases, List<WebhookOutcome> events) {

    public ReconcileReport {
        purchases = List.copyOf(purchases);
        events = List.copyOf(events);
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
