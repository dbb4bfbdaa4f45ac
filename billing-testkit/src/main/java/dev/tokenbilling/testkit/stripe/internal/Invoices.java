package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Subscription invoices: made from lines ({@code invoice.created}), finalized ({@code
 * invoice.finalized}), and paid with a card through a PaymentIntent of their own ({@code invoice.paid}
 * and {@code invoice.payment_succeeded}, or {@code invoice.payment_failed}). Called under the state
 * lock.
 */
public final class Invoices implements Payments.Listener {
    /** The code {@link #pay} answers while the invoice's payment is processing (not a failure). */
    public static final String PROCESSING = "invoice_payment_processing";

    private static final Set<String> RETRYABLE =
            Set.of("requires_payment_method", "requires_confirmation", "requires_action");
    private static final Set<String> REVIVED_BY_PAYMENT = Set.of("incomplete", "past_due", "unpaid");

    private final FakeStripeState state;
    private final Payments payments;
    private final PaymentMethodsApi paymentMethods;
    private boolean collecting; // pay() is confirming: the listener leaves the invoice to it

    /** Over this state. */
    public Invoices(FakeStripeState state, Payments payments, PaymentMethodsApi paymentMethods) {
        this.state = state;
        this.payments = payments;
        this.paymentMethods = paymentMethods;
        payments.addListener(this);
    }

    /** A line for a subscription item over a period ({@code proration} lines may be negative). */
    public ObjectNode line(ObjectNode item, long amount, long start, long end, boolean proration, String description) {
        ObjectNode line = Templates.blank("line_item");
        line.put("id", Ids.newId("il"));
        ObjectNode price = (ObjectNode) item.get("price");
        long quantity = item.get("quantity").asLong();
        line.put("amount", amount);
        line.put("subtotal", amount);
        line.put("currency", price.get("currency").asText());
        line.put("description", description);
        line.put("quantity", quantity);
        line.put("quantity_decimal", String.valueOf(quantity));
        ((ObjectNode) line.get("period")).put("end", end).put("start", start);
        ObjectNode details = Json.object();
        details.putNull("invoice_item");
        details.put("proration", proration);
        details.set("proration_details", Json.object().putNull("credited_items"));
        details.put("subscription", item.get("subscription").asText());
        details.put("subscription_item", item.get("id").asText());
        ObjectNode parent = Json.object();
        parent.putNull("invoice_item_details");
        parent.set("subscription_item_details", details);
        parent.put("type", "subscription_item_details");
        line.set("parent", parent);
        ObjectNode pricing = Json.object();
        pricing.set(
                "price_details",
                Json.object().put("price", price.get("id").asText()).put("product", Json.text(price, "product")));
        pricing.put("type", "price_details");
        pricing.put("unit_amount_decimal", Json.text(price, "unit_amount_decimal"));
        line.set("pricing", pricing);
        return line;
    }

    /** How Stripe describes a line for an item: {@code 1 × Pro (at $9.00 / month)}. */
    public String describe(ObjectNode item) {
        ObjectNode price = (ObjectNode) item.get("price");
        ObjectNode product = state.store().find("product", Json.text(price, "product"));
        String name = product == null ? Json.text(price, "product") : Json.text(product, "name");
        String currency = price.get("currency").asText();
        String amount =
                String.format(Locale.ROOT, "%.2f", price.get("unit_amount").asLong() / 100.0);
        return item.get("quantity").asLong() + " × " + name + " (at "
                + (currency.equals("usd") ? "$" + amount : amount + " " + currency.toUpperCase(Locale.ROOT))
                + " / " + price.get("recurring").get("interval").asText() + ")";
    }

    /** A draft invoice of {@code subscription} with these lines, made at {@code now}. */
    public ObjectNode create(
            ObjectNode subscription,
            String billingReason,
            List<ObjectNode> lines,
            long periodStart,
            long periodEnd,
            long now) {
        ObjectNode invoice = Templates.blank("invoice");
        String id = Ids.newId("in");
        String customerId = subscription.get("customer").asText();
        ObjectNode customer = state.store().find("customer", customerId);
        invoice.put("id", id);
        invoice.put("created", now);
        invoice.put("billing_reason", billingReason);
        invoice.put("currency", subscription.get("currency").asText());
        invoice.put("customer", customerId);
        for (String f : new String[] {"address", "email", "name", "phone", "shipping", "tax_exempt"}) {
            invoice.set("customer_" + f, customer.get(f).deepCopy());
        }
        invoice.set("test_clock", subscription.get("test_clock").deepCopy());
        invoice.put("period_start", periodStart);
        invoice.put("period_end", periodEnd);
        ObjectNode details = Json.object();
        details.set("metadata", subscription.get("metadata").deepCopy());
        details.put("subscription", subscription.get("id").asText());
        ObjectNode parent = Json.object();
        parent.putNull("quote_details");
        parent.set("subscription_details", details);
        parent.put("type", "subscription_details");
        invoice.set("parent", parent);
        ArrayNode data = Json.array();
        long total = 0;
        for (ObjectNode line : lines) {
            line.put("invoice", id);
            total += line.get("amount").asLong();
            data.add(line);
        }
        ObjectNode list = (ObjectNode) invoice.get("lines");
        list.set("data", data);
        list.put("total_count", data.size());
        list.put("url", "/v1/invoices/" + id + "/lines");
        for (String f : new String[] {"subtotal", "subtotal_excluding_tax", "total", "total_excluding_tax"}) {
            invoice.put(f, total);
        }
        long due = Math.max(0, total);
        invoice.put("amount_due", due);
        invoice.put("amount_remaining", due);
        invoice.put("automatically_finalizes_at", now + 3600);
        state.put(invoice);
        state.events().publish("invoice.created", invoice);
        return invoice;
    }

    /** Finalizes a draft: {@code open} with a number, or {@code paid} at once when nothing is due. */
    public void finalizeInvoice(ObjectNode invoice, long now) {
        ObjectNode customer =
                state.store().find("customer", invoice.get("customer").asText());
        long sequence = customer.get("next_invoice_sequence").asLong();
        customer.put("next_invoice_sequence", sequence + 1);
        invoice.put("number", Json.text(customer, "invoice_prefix") + "-" + String.format("%04d", sequence));
        invoice.put("status", "open");
        invoice.putNull("automatically_finalizes_at");
        invoice.put("effective_at", now);
        invoice.put("ending_balance", 0);
        ((ObjectNode) invoice.get("status_transitions")).put("finalized_at", now);
        long due = invoice.get("amount_due").asLong();
        if (due > 0) {
            // As on Stripe, finalizing makes the invoice's PaymentIntent (its confirmation_secret).
            newPayment(invoice, newIntent(invoice, due), due, now);
        }
        state.events().publish("invoice.finalized", invoice);
    }

    private ObjectNode newIntent(ObjectNode invoice, long amount) {
        return payments.newIntent(
                amount,
                invoice.get("currency").asText(),
                invoice.get("customer").asText(),
                description(invoice),
                null);
    }

    /**
     * The PaymentMethod that pays an invoice: the one given, else the subscription's default, else the
     * customer's {@code invoice_settings.default_payment_method}; null when there is none.
     */
    public ObjectNode paymentMethodFor(ObjectNode invoice, String given) {
        String id = given;
        ObjectNode subscription = subscriptionOf(invoice);
        if (id == null && subscription != null) {
            id = Json.text(subscription, "default_payment_method");
        }
        if (id == null) {
            ObjectNode customer =
                    state.store().find("customer", invoice.get("customer").asText());
            id = customer == null ? null : Json.text(customer.get("invoice_settings"), "default_payment_method");
        }
        return id == null ? null : paymentMethods.resolve(id, "payment_method");
    }

    /**
     * Attempts payment of an open invoice with {@code pm} at {@code now}. Answers null when it is paid,
     * else the decline. With {@code reviveSubscription}, a paid invoice that is its subscription's latest
     * makes an {@code incomplete} or {@code past_due} subscription {@code active} again.
     */
    public StripeApiError pay(ObjectNode invoice, ObjectNode pm, long now, boolean reviveSubscription) {
        long due = invoice.get("amount_remaining").asLong();
        StripeApiError failure = null;
        if (due > 0) {
            invoice.put("attempted", true);
            invoice.put("attempt_count", invoice.get("attempt_count").asInt() + 1);
            if (pm == null) {
                failure = StripeApiError.invalidRequest(
                        "invoice_no_payment_method_types",
                        null,
                        "This invoice cannot be paid: the customer has no default payment method.");
            } else {
                failure = collect(invoice, pm, due, now);
            }
        }
        if (failure != null) {
            if (!PROCESSING.equals(failure.code())) {
                state.events().publish("invoice.payment_failed", invoice);
            }
            return failure;
        }
        markPaid(invoice, now, reviveSubscription);
        return null;
    }

    private void markPaid(ObjectNode invoice, long now, boolean reviveSubscription) {
        long due = invoice.get("amount_remaining").asLong();
        String invoiceId = invoice.get("id").asText();
        for (ObjectNode left : state.store()
                .newestFirst(
                        "invoice_payment",
                        ip -> invoiceId.equals(Json.text(ip, "invoice")) && "open".equals(Json.text(ip, "status")))) {
            // paid out of band: the payment Stripe prepared is not needed any more
            left.put("status", "canceled");
            ((ObjectNode) left.get("status_transitions")).put("canceled_at", now);
        }
        invoice.put("amount_paid", invoice.get("amount_paid").asLong() + due);
        invoice.put("amount_remaining", 0);
        invoice.put("status", "paid");
        invoice.putNull("next_payment_attempt");
        ((ObjectNode) invoice.get("status_transitions")).put("paid_at", now);
        state.events().publish("invoice.paid", invoice);
        state.events().publish("invoice.payment_succeeded", invoice);
        ObjectNode subscription = subscriptionOf(invoice);
        if (reviveSubscription
                && subscription != null
                && invoice.get("id").asText().equals(Json.text(subscription, "latest_invoice"))
                && REVIVED_BY_PAYMENT.contains(Json.text(subscription, "status"))) {
            ObjectNode before = subscription.deepCopy();
            subscription.put("status", "active");
            state.events()
                    .publish(
                            "customer.subscription.updated",
                            subscription,
                            Updates.previousAttributes(before, subscription));
        }
    }

    /**
     * A PaymentIntent of an open invoice confirmed outside {@link #pay} (by the customer, with the
     * invoice's {@code confirmation_secret}) pays the invoice, or counts as a failed attempt.
     */
    @Override
    public void succeeded(ObjectNode pi) {
        ObjectNode payment = collecting ? null : openPaymentOf(pi);
        if (payment != null) {
            ObjectNode invoice = state.store().find("invoice", Json.text(payment, "invoice"));
            long now = TestClocksApi.nowFor(state, invoice.get("customer").asText());
            markPaymentPaid(payment, invoice.get("amount_remaining").asLong(), now);
            invoice.put("attempted", true);
            invoice.put("attempt_count", invoice.get("attempt_count").asInt() + 1);
            markPaid(invoice, now, true);
        }
    }

    @Override
    public void failed(ObjectNode pi) {
        ObjectNode payment = collecting ? null : openPaymentOf(pi);
        if (payment != null) {
            ObjectNode invoice = state.store().find("invoice", Json.text(payment, "invoice"));
            invoice.put("attempted", true);
            invoice.put("attempt_count", invoice.get("attempt_count").asInt() + 1);
            state.events().publish("invoice.payment_failed", invoice);
        }
    }

    private ObjectNode openPaymentOf(ObjectNode pi) {
        String id = pi.get("id").asText();
        return state
                .store()
                .newestFirst(
                        "invoice_payment",
                        ip -> "open".equals(Json.text(ip, "status"))
                                && id.equals(Json.text(ip.get("payment"), "payment_intent")))
                .stream()
                .findFirst()
                .filter(ip ->
                        "open".equals(Json.text(state.store().find("invoice", Json.text(ip, "invoice")), "status")))
                .orElse(null);
    }

    /**
     * Charges {@code pm} through the invoice's open {@code invoice_payment} and its PaymentIntent
     * (confirmed again on a retry, as Stripe does), or a new pair; the payment is {@code paid} on success.
     */
    private StripeApiError collect(ObjectNode invoice, ObjectNode pm, long due, long now) {
        String invoiceId = invoice.get("id").asText();
        ObjectNode payment = state
                .store()
                .newestFirst(
                        "invoice_payment",
                        ip -> invoiceId.equals(Json.text(ip, "invoice")) && "open".equals(Json.text(ip, "status")))
                .stream()
                .findFirst()
                .orElse(null);
        ObjectNode pi = payment == null
                ? null
                : state.store().find("payment_intent", Json.text(payment.get("payment"), "payment_intent"));
        if (pi == null || !RETRYABLE.contains(Json.text(pi, "status"))) {
            if (payment != null) {
                payment.put("status", "canceled");
                ((ObjectNode) payment.get("status_transitions")).put("canceled_at", now);
            }
            pi = newIntent(invoice, due);
            payment = newPayment(invoice, pi, due, now);
        }
        StripeApiError failure;
        collecting = true;
        try {
            failure = payments.retry(pi, pm);
        } finally {
            collecting = false;
        }
        if (failure == null && "processing".equals(Json.text(pi, "status"))) {
            // setAsyncCardPayments: the invoice stays open until completeProcessing settles it.
            return StripeApiError.invalidRequest(PROCESSING, null, "This invoice's payment is processing.");
        }
        if (failure == null) {
            markPaymentPaid(payment, due, now);
        }
        return failure;
    }

    private static void markPaymentPaid(ObjectNode payment, long amount, long now) {
        payment.put("status", "paid");
        payment.put("amount_paid", amount);
        ((ObjectNode) payment.get("status_transitions")).put("paid_at", now);
    }

    private ObjectNode newPayment(ObjectNode invoice, ObjectNode pi, long amount, long now) {
        ObjectNode payment = Json.object();
        payment.put("id", Ids.newId("inpay"));
        payment.put("object", "invoice_payment");
        payment.putNull("amount_paid");
        payment.put("amount_requested", amount);
        payment.put("created", now);
        payment.put("currency", invoice.get("currency").asText());
        payment.put("invoice", invoice.get("id").asText());
        payment.put("is_default", true);
        payment.put("livemode", false);
        payment.set(
                "payment",
                Json.object().put("payment_intent", pi.get("id").asText()).put("type", "payment_intent"));
        payment.put("status", "open");
        payment.set("status_transitions", Json.object().putNull("canceled_at").putNull("paid_at"));
        return state.put(payment);
    }

    /** The subscription an invoice belongs to, or null. */
    public ObjectNode subscriptionOf(ObjectNode invoice) {
        String id = invoice.path("parent")
                .path("subscription_details")
                .path("subscription")
                .asText(null);
        return state.store().find("subscription", id);
    }

    private static String description(ObjectNode invoice) {
        return switch (invoice.get("billing_reason").asText()) {
            case "subscription_create" -> "Subscription creation";
            case "subscription_update" -> "Subscription update";
            default -> "Subscription cycle";
        };
    }
}
