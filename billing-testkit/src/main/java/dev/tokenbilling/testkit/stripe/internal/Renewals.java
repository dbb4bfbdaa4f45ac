package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What happens to subscriptions while a test clock moves: each period that ends ends the subscription
 * ({@code cancel_at_period_end}, {@code customer.subscription.deleted}) or starts the next one with a
 * {@code subscription_cycle} invoice paid with the default payment method ({@code past_due} when that
 * fails); an {@code incomplete} subscription expires after 23 hours. Called under the state lock.
 */
public final class Renewals {
    private static final Set<String> RENEWING = Set.of("active", "past_due", "trialing");
    private static final long INCOMPLETE_EXPIRES_AFTER = 23L * 3600;

    private final FakeStripeState state;
    private final Invoices invoices;

    /** Over this state. */
    public Renewals(FakeStripeState state, Invoices invoices) {
        this.state = state;
        this.invoices = invoices;
    }

    /**
     * Runs everything due up to {@code time} for the subscriptions of the customers on {@code clockId},
     * or, with a null {@code clockId}, for those on no test clock.
     */
    public void runUntil(String clockId, long time) {
        List<ObjectNode> subscriptions = state.store().oldestFirst("subscription").stream()
                .filter(s -> Objects.equals(clockId, Json.text(s, "test_clock")))
                .toList();
        for (ObjectNode subscription : subscriptions) {
            String status = Json.text(subscription, "status");
            if ("incomplete".equals(status)
                    && subscription.get("created").asLong() + INCOMPLETE_EXPIRES_AFTER <= time) {
                ObjectNode before = subscription.deepCopy();
                subscription.put("status", "incomplete_expired");
                subscription.put("ended_at", subscription.get("created").asLong() + INCOMPLETE_EXPIRES_AFTER);
                state.events()
                        .publish(
                                "customer.subscription.updated",
                                subscription,
                                Updates.previousAttributes(before, subscription));
            }
            while (RENEWING.contains(Json.text(subscription, "status")) && periodEnd(subscription) <= time) {
                renewOnce(subscription);
            }
        }
    }

    private static ObjectNode item(ObjectNode subscription) {
        return (ObjectNode) subscription.get("items").get("data").get(0);
    }

    private static long periodEnd(ObjectNode subscription) {
        return item(subscription).get("current_period_end").asLong();
    }

    private void renewOnce(ObjectNode subscription) {
        ObjectNode item = item(subscription);
        long start = item.get("current_period_start").asLong();
        long end = item.get("current_period_end").asLong();
        ObjectNode before = subscription.deepCopy();
        if (subscription.get("cancel_at_period_end").asBoolean()) {
            subscription.put("status", "canceled");
            subscription.put("ended_at", end);
            state.events().publish("customer.subscription.deleted", subscription);
            return;
        }
        ObjectNode price = (ObjectNode) item.get("price");
        long nextEnd =
                Intervals.nextEnd(subscription.get("billing_cycle_anchor").asLong(), price.get("recurring"), end);
        item.put("current_period_start", end);
        item.put("current_period_end", nextEnd);
        long amount = price.get("unit_amount").asLong() * item.get("quantity").asLong();
        ObjectNode invoice = invoices.create(
                subscription,
                "subscription_cycle",
                List.of(invoices.line(item, amount, end, nextEnd, false, invoices.describe(item))),
                start,
                end,
                end);
        subscription.put("latest_invoice", invoice.get("id").asText());
        invoices.finalizeInvoice(invoice, end);
        ObjectNode pm;
        try {
            pm = invoices.paymentMethodFor(invoice, null);
        } catch (StripeApiError gone) {
            pm = null; // a default that no longer exists fails the payment, as on Stripe
        }
        boolean paid = invoices.pay(invoice, pm, end, false) == null;
        subscription.put("status", paid ? "active" : "past_due");
        state.events()
                .publish(
                        "customer.subscription.updated",
                        subscription,
                        Updates.previousAttributes(before, subscription));
    }
}
