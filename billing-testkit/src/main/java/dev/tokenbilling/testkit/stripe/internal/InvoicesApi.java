package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/invoices}: retrieve, list (customer, subscription, status), pay. Invoices are made by
 * subscriptions only.
 */
public final class InvoicesApi {
    private static final Set<String> STATUSES = Set.of("draft", "open", "paid", "uncollectible", "void");

    private final FakeStripeState state;
    private final Invoices invoices;

    /** Over this state. */
    public InvoicesApi(FakeStripeState state, Invoices invoices) {
        this.state = state;
        this.invoices = invoices;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add(
                "GET",
                "/v1/invoices/{id}",
                r -> Render.one(state, state.store().require("invoice", r.id(), "id"), r.params()));
        router.add("GET", "/v1/invoices", this::list);
        router.add("POST", "/v1/invoices/{id}/pay", this::pay);
        router.add(
                "GET",
                "/v1/invoice_payments/{id}",
                r -> Render.one(state, state.store().require("invoice_payment", r.id(), "id"), r.params()));
        router.add("GET", "/v1/invoice_payments", this::listPayments);
    }

    private ObjectNode listPayments(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("invoice", "payment", "status", "created"));
        p.allowOnly(allowed);
        p.oneOf("status", Set.of("open", "paid", "canceled"));
        Params payment = p.map("payment");
        if (payment != null) {
            payment.allowOnly("payment_intent", "type", "payment_record");
        }
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "invoice_payment",
                        ip -> Lists.textEquals(ip, "invoice", p, "invoice")
                                && Lists.textEquals(ip, "status", p, "status")
                                && Lists.inRange(ip, "created", p, "created")
                                && (payment == null
                                        || (Lists.textEquals(
                                                        (ObjectNode) ip.get("payment"),
                                                        "payment_intent",
                                                        payment,
                                                        "payment_intent")
                                                && Lists.textEquals(
                                                        (ObjectNode) ip.get("payment"), "type", payment, "type"))));
        return Lists.page("/v1/invoice_payments", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode pay(ApiRequest req) {
        Params p = req.params()
                .allowOnly("payment_method", "off_session", "forgive", "paid_out_of_band", "source", "mandate");
        ObjectNode invoice = state.store().require("invoice", req.id(), "id");
        String status = Json.text(invoice, "status");
        if (!"open".equals(status)) {
            throw StripeApiError.invalidRequest(
                    "invoice_not_open", null, "Invoice is already " + status + "; only open invoices can be paid.");
        }
        long now = TestClocksApi.nowFor(state, invoice.get("customer").asText());
        if (Boolean.TRUE.equals(p.bool("paid_out_of_band"))) {
            invoice.put("amount_remaining", 0);
        }
        ObjectNode pm = invoices.paymentMethodFor(invoice, p.string("payment_method"));
        if (pm == null && invoice.get("amount_remaining").asLong() > 0) {
            throw StripeApiError.invalidRequest(
                    "invoice_no_payment_method_types",
                    null,
                    "This invoice cannot be paid: no payment_method was given and the customer has no default"
                            + " payment method.");
        }
        StripeApiError failure = invoices.pay(invoice, pm, now, true);
        if (failure != null && !Invoices.PROCESSING.equals(failure.code())) {
            throw failure;
        }
        return Render.one(state, invoice, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("customer", "subscription", "status", "created", "collection_method"));
        p.allowOnly(allowed);
        p.oneOf("status", STATUSES);
        String subscription = p.string("subscription");
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "invoice",
                        i -> Lists.textEquals(i, "customer", p, "customer")
                                && Lists.textEquals(i, "status", p, "status")
                                && Lists.inRange(i, "created", p, "created")
                                && (subscription == null
                                        || subscription.equals(i.path("parent")
                                                .path("subscription_details")
                                                .path("subscription")
                                                .asText(null))));
        return Lists.page("/v1/invoices", items, p, n -> Render.item(state, n, p));
    }
}
