package dev.tokenbilling.internal.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.store.BillingStore;
import java.time.Instant;

/**
 * Appends the host-facing events of a change to the outbox, in the change's own transaction
 * ({@code tx}): the event exists exactly when the change committed. The balance crossings
 * ({@code balance.low}, {@code balance.depleted}) are written by the database itself, by the
 * posting that crossed.
 */
public final class BillingEvents {

    private BillingEvents() {}

    public static void purchaseCompleted(BillingStore tx, Purchase purchase, LedgerEntry credit, Instant at) {
        ObjectNode data = StripeJson.MAPPER.createObjectNode();
        data.put("purchase_id", purchase.id());
        data.put("package", purchase.packageSlug());
        data.put("tokens", purchase.tokenAmount());
        data.put("amount", purchase.amount().minorUnits());
        data.put("currency", purchase.amount().currency().getCurrencyCode());
        data.put("entry_id", credit.id());
        data.put("balance_after", credit.balanceAfter());
        tx.outbox().append(purchase.userId(), "purchase.completed", data.toString(), at);
    }

    /** A refund or dispute took tokens back ({@code type} {@code refund.applied} or {@code dispute.applied}). */
    public static void reversalApplied(BillingStore tx, String type, Purchase purchase, LedgerEntry debit, Instant at) {
        ObjectNode data = StripeJson.MAPPER.createObjectNode();
        data.put("purchase_id", purchase.id());
        data.put("tokens", -debit.amount());
        data.put("entry_id", debit.id());
        data.put("balance_after", debit.balanceAfter());
        tx.outbox().append(purchase.userId(), type, data.toString(), at);
    }

    public static void subscriptionChanged(BillingStore tx, Subscription subscription, Instant at) {
        ObjectNode data = StripeJson.MAPPER.createObjectNode();
        data.put("subscription", subscription.stripeSubscriptionId());
        data.put("tier", subscription.tierSlug());
        data.put("status", subscription.status().wireName());
        data.put("interval", subscription.interval().wireName());
        data.put("cancel_at_period_end", subscription.cancelAtPeriodEnd());
        subscription.currentPeriodEnd().ifPresent(end -> data.put("current_period_end", end.toString()));
        tx.outbox().append(subscription.userId(), "subscription.changed", data.toString(), at);
    }

    public static void allowanceGranted(BillingStore tx, LedgerEntry entry, Instant at) {
        ObjectNode data = StripeJson.MAPPER.createObjectNode();
        data.put("tokens", entry.amount());
        data.put("entry_id", entry.id());
        data.put("balance_after", entry.balanceAfter());
        data.put("description", entry.description());
        tx.outbox().append(entry.userId(), "allowance.granted", data.toString(), at);
    }
}
