package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.CardProfile.Outcome;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/checkout/sessions} in {@code payment} and {@code subscription} mode: create (the {@code
 * url} is FakeStripe's own payment page, {@link HostedPages}), retrieve, list, expire, line items; and
 * the completion a payment on that page (or {@code FakeStripe.completeCheckout}) makes: a PaymentIntent,
 * or a customer and a subscription with its paid first invoice, then {@code checkout.session.completed}.
 */
public final class CheckoutSessionsApi implements Payments.Listener {
    /** Where a session keeps what completing it needs and Stripe does not show on the session. */
    private static final String PENDING = "fakestripe.checkout_pending";

    private static final long MIN_EXPIRY = 30 * 60;
    private static final long MAX_EXPIRY = 24 * 3600;

    private final FakeStripeState state;
    private final PaymentMethodsApi paymentMethods;
    private final Payments payments;
    private final SubscriptionsApi subscriptions;

    /** Over this state. */
    public CheckoutSessionsApi(
            FakeStripeState state,
            PaymentMethodsApi paymentMethods,
            Payments payments,
            SubscriptionsApi subscriptions) {
        this.state = state;
        this.paymentMethods = paymentMethods;
        this.payments = payments;
        this.subscriptions = subscriptions;
        payments.addListener(this);
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/checkout/sessions", this::create);
        router.add("GET", "/v1/checkout/sessions/{id}", r -> Render.one(state, require(r.id()), r.params()));
        router.add("GET", "/v1/checkout/sessions", this::list);
        router.add("POST", "/v1/checkout/sessions/{id}/expire", this::expire);
        router.add("GET", "/v1/checkout/sessions/{id}/line_items", this::lineItems);
    }

    /** The session, or 404. */
    public ObjectNode require(String id) {
        return state.store().require("checkout.session", id, "id");
    }

    /** The session's line items ({@code item} objects). */
    public ArrayNode items(String sessionId) {
        return items(state.store(), sessionId);
    }

    /** The line items of a session in {@code store}. */
    static ArrayNode items(ObjectStore store, String sessionId) {
        ObjectNode pending = store.find(PENDING, sessionId + "/pending");
        return pending == null ? Json.array() : (ArrayNode) pending.get("line_items");
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "mode",
                        "line_items",
                        "customer",
                        "customer_email",
                        "customer_creation",
                        "client_reference_id",
                        "success_url",
                        "cancel_url",
                        "metadata",
                        "payment_intent_data",
                        "subscription_data",
                        "expires_at",
                        "payment_method_types",
                        "allow_promotion_codes",
                        "billing_address_collection",
                        "locale",
                        "submit_type",
                        "ui_mode",
                        "payment_method_collection");
        String mode = p.oneOf("mode", Set.of("payment", "subscription", "setup"));
        if (mode == null) {
            throw StripeApiError.missingParam("mode");
        }
        if (mode.equals("setup")) {
            throw StripeApiError.invalidParam("mode", "FakeStripe emulates Checkout in payment and subscription mode.");
        }
        String ui = p.oneOf("ui_mode", Set.of("hosted", "embedded", "custom"));
        if (ui != null && !ui.equals("hosted")) {
            throw StripeApiError.invalidParam("ui_mode", "FakeStripe emulates the hosted Checkout page only.");
        }
        String customer = p.string("customer");
        if (customer != null) {
            if (state.store()
                    .require("customer", customer, "customer")
                    .path("deleted")
                    .asBoolean(false)) {
                throw StripeApiError.resourceMissing("customer", customer, "customer");
            }
            if (p.string("customer_email") != null) {
                throw StripeApiError.invalidParam(
                        "customer_email", "You may only specify one of these parameters: customer, customer_email.");
            }
        }
        String creation = p.oneOf("customer_creation", Set.of("always", "if_required"));
        if (creation != null && mode.equals("subscription")) {
            throw StripeApiError.invalidParam(
                    "customer_creation", "`customer_creation` can only be used in `payment` mode.");
        }
        long now = state.now();
        Long expiresAt = p.integer("expires_at");
        if (expiresAt != null && (expiresAt < now + MIN_EXPIRY || expiresAt > now + MAX_EXPIRY)) {
            throw StripeApiError.invalidParam(
                    "expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.");
        }
        String id = "cs_test_" + Ids.random(58);
        ArrayNode items = lineItems(p, mode);
        ObjectNode session = Templates.blank("checkout_session");
        session.put("id", id);
        session.put("created", now);
        session.put("expires_at", expiresAt == null ? now + MAX_EXPIRY : expiresAt);
        session.put("mode", mode);
        long total = 0;
        for (var item : items) {
            total += item.get("amount_total").asLong();
        }
        session.put("amount_subtotal", total);
        session.put("amount_total", total);
        session.put("currency", items.get(0).get("currency").asText());
        if (customer != null) {
            session.put("customer", customer);
        }
        if (mode.equals("payment")) {
            session.put("customer_creation", creation == null ? "if_required" : creation);
            ObjectNode invoiceData = Json.object();
            for (String f : new String[] {"account_tax_ids", "custom_fields", "description", "footer", "issuer"}) {
                invoiceData.putNull(f);
            }
            invoiceData.set("metadata", Json.object());
            invoiceData.putNull("rendering_options");
            session.set("invoice_creation", Json.object().put("enabled", false).set("invoice_data", invoiceData));
        } else {
            session.put("payment_method_collection", "always");
        }
        for (String f : new String[] {"customer_email", "client_reference_id", "success_url", "cancel_url", "locale"}) {
            Updates.text(session, p, f);
        }
        Updates.applyMetadata(session, p);
        session.put("url", state.apiBase() + "/checkout/pay/" + id);
        ObjectNode pending = Json.object();
        pending.put("id", id + "/pending");
        pending.put("object", PENDING);
        pending.set("line_items", items);
        pending.set("payment_intent_data", data(p, "payment_intent_data", "metadata", "description"));
        pending.set("subscription_data", data(p, "subscription_data", "metadata", "description"));
        state.put(session);
        state.put(pending);
        return Render.one(state, session, p);
    }

    private static ObjectNode data(Params p, String key, String... allowed) {
        Params nested = p.map(key);
        ObjectNode node = Json.object();
        if (nested == null) {
            return node;
        }
        List<String> fields = new ArrayList<>(List.of(allowed));
        fields.addAll(List.of("setup_future_usage", "receipt_email", "statement_descriptor", "trial_period_days"));
        nested.allowOnly(fields);
        Map<String, String> metadata = nested.stringMap("metadata");
        if (metadata != null) {
            node.set("metadata", Json.stringMap(metadata));
        }
        if (nested.string("description") != null) {
            node.put("description", nested.string("description"));
        }
        return node;
    }

    private ArrayNode lineItems(Params p, String mode) {
        List<Object> given = p.list("line_items");
        if (given == null || given.isEmpty()) {
            throw StripeApiError.missingParam("line_items");
        }
        Params all = p.map("line_items");
        ArrayNode items = Json.array();
        for (int i = 0; i < given.size(); i++) {
            Params line = all.map(String.valueOf(i));
            if (line == null) {
                throw StripeApiError.invalidParam("line_items", "Invalid array: line_items must be an array.");
            }
            line.allowOnly("price", "quantity", "adjustable_quantity", "price_data", "tax_rates");
            ObjectNode price = state.store().require("price", line.requiredString("price"), line.name("price"));
            boolean recurring = "recurring".equals(Json.text(price, "type"));
            if (mode.equals("payment") && recurring) {
                throw StripeApiError.invalidParam(
                        line.name("price"),
                        "You specified `payment` mode but passed a recurring price. Either switch to `subscription`"
                                + " mode or use only one-time prices.");
            }
            if (mode.equals("subscription") && !recurring) {
                throw StripeApiError.invalidParam(
                        line.name("price"), "FakeStripe subscription Checkout takes one recurring price.");
            }
            if (price.get("unit_amount").isNull()) {
                throw StripeApiError.invalidParam(
                        line.name("price"), "FakeStripe Checkout needs prices with a unit_amount.");
            }
            Long quantity = line.integer("quantity");
            long q = quantity == null ? 1 : quantity;
            long amount = price.get("unit_amount").asLong() * q;
            ObjectNode product = state.store().find("product", Json.text(price, "product"));
            ObjectNode item = Json.object();
            item.put("id", Ids.newId("li"));
            item.put("object", "item");
            item.putNull("adjustable_quantity");
            item.put("amount_discount", 0);
            item.put("amount_subtotal", amount);
            item.put("amount_tax", 0);
            item.put("amount_total", amount);
            item.put("currency", price.get("currency").asText());
            item.put("description", product == null ? null : Json.text(product, "name"));
            item.putNull("metadata");
            item.set("price", price.deepCopy());
            item.put("quantity", q);
            items.add(item);
        }
        if (mode.equals("subscription") && items.size() > 1) {
            throw StripeApiError.invalidParam("line_items", "FakeStripe emulates subscriptions with one item.");
        }
        return items;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("customer", "payment_intent", "subscription", "status", "created", "payment_link"));
        p.allowOnly(allowed);
        p.oneOf("status", Set.of("open", "complete", "expired"));
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "checkout.session",
                        s -> Lists.textEquals(s, "customer", p, "customer")
                                && Lists.textEquals(s, "payment_intent", p, "payment_intent")
                                && Lists.textEquals(s, "subscription", p, "subscription")
                                && Lists.textEquals(s, "status", p, "status")
                                && Lists.inRange(s, "created", p, "created"));
        return Lists.page("/v1/checkout/sessions", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode lineItems(ApiRequest req) {
        Params p = req.params();
        p.allowOnly(new ArrayList<>(Lists.PAGING));
        require(req.id());
        List<ObjectNode> list = new ArrayList<>();
        items(req.id()).forEach(n -> list.add((ObjectNode) n));
        // Lists.page pages newest first; line items are listed in the order they were given.
        return Lists.page("/v1/checkout/sessions/" + req.id() + "/line_items", list, p, n -> Render.item(state, n, p));
    }

    private ObjectNode expire(ApiRequest req) {
        ObjectNode session = require(req.id());
        if (!"open".equals(Json.text(session, "status"))) {
            throw StripeApiError.invalidRequest(
                    null,
                    null,
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This session has status `"
                            + Json.text(session, "status") + "`.");
        }
        expireNow(session);
        return Render.one(state, session, req.params());
    }

    private void expireNow(ObjectNode session) {
        session.put("status", "expired");
        session.putNull("url");
        state.events().publish("checkout.session.expired", session);
    }

    /**
     * Pays an open session with a card number or a PaymentMethod (or test id such as {@code
     * pm_card_visa}), as the hosted page does. Throws the 402 of a decline (the session stays open), or
     * 400 when the session is not open.
     */
    public ObjectNode complete(String sessionId, String card, String email) {
        ObjectNode session = require(sessionId);
        if ("open".equals(Json.text(session, "status"))
                && session.get("expires_at").asLong() <= state.now()) {
            expireNow(session);
        }
        if (!"open".equals(Json.text(session, "status"))) {
            throw StripeApiError.invalidRequest(
                    "checkout_session_not_open",
                    null,
                    "This Checkout Session is " + Json.text(session, "status") + " and can no longer be paid.");
        }
        ObjectNode pm = paymentMethod(card);
        String customerEmail = Json.text(session, "customer_email");
        if (customerEmail == null) {
            customerEmail = email;
        }
        ObjectNode pending = state.store().find(PENDING, sessionId + "/pending");
        String customer = Json.text(session, "customer");
        if (customer != null && customerEmail == null) {
            customerEmail = Json.text(state.store().find("customer", customer), "email");
        }
        boolean subscriptionMode = "subscription".equals(Json.text(session, "mode"));
        if (subscriptionMode) {
            CardProfile profile = state.cardOf(pm.get("id").asText());
            if (profile != null && profile.outcome() == Outcome.DECLINE) {
                throw StripeApiError.card(profile.code(), profile.declineCode(), null, profile.message());
            }
            if (profile != null && profile.outcome() == Outcome.REQUIRE_AUTHENTICATION) {
                throw StripeApiError.card(
                        "authentication_required",
                        "authentication_required",
                        null,
                        "FakeStripe's Checkout page does not emulate 3-D Secure; use another test card.");
            }
        } else {
            StripeApiError failure = pay(session, pending, pm, customer);
            if (failure != null) {
                throw failure;
            }
        }
        if (customer == null && (subscriptionMode || "always".equals(Json.text(session, "customer_creation")))) {
            customer = newCustomer(customerEmail);
            session.put("customer", customer);
            if (!subscriptionMode) {
                ObjectNode paid = state.store().find("payment_intent", Json.text(session, "payment_intent"));
                paid.put("customer", customer);
                ObjectNode charge = state.store().find("charge", Json.text(paid, "latest_charge"));
                if (charge != null) {
                    charge.put("customer", customer);
                }
            }
        }
        if (subscriptionMode) {
            ObjectNode sub = subscribe(session, pending, pm, customer);
            session.put("subscription", sub.get("id").asText());
            session.put("invoice", sub.get("latest_invoice").asText());
        }
        session.put("status", "complete");
        ObjectNode pi = state.store().find("payment_intent", Json.text(session, "payment_intent"));
        // A payment still processing (setAsyncCardPayments) completes the session unpaid, as a delayed
        // payment method does; async_payment_succeeded/failed follow.
        boolean processing = pi != null && "processing".equals(Json.text(pi, "status"));
        if (subscriptionMode) {
            ObjectNode sub = state.store().find("subscription", Json.text(session, "subscription"));
            processing = !"active".equals(Json.text(sub, "status"));
        }
        session.put("payment_status", processing ? "unpaid" : "paid");
        session.putNull("url");
        ObjectNode details = Json.object();
        details.set("address", Updates.address(new Params(new LinkedHashMap<>())));
        details.putNull("business_name");
        details.put("email", customerEmail);
        details.putNull("individual_name");
        details.set("name", pm.get("billing_details").get("name").deepCopy());
        details.putNull("phone");
        details.put("tax_exempt", "none");
        details.set("tax_ids", Json.array());
        session.set("customer_details", details);
        state.events().publish("checkout.session.completed", session);
        return session;
    }

    /** A processing payment of a completed session succeeded: {@code checkout.session.async_payment_succeeded}. */
    @Override
    public void succeeded(ObjectNode pi) {
        ObjectNode session = awaiting(pi);
        if (session != null) {
            session.put("payment_status", "paid");
            state.events().publish("checkout.session.async_payment_succeeded", session);
        }
    }

    /** A processing payment of a completed session failed: {@code checkout.session.async_payment_failed}. */
    @Override
    public void failed(ObjectNode pi) {
        ObjectNode session = awaiting(pi);
        if (session != null) {
            state.events().publish("checkout.session.async_payment_failed", session);
        }
    }

    private ObjectNode awaiting(ObjectNode pi) {
        String id = pi.get("id").asText();
        return state
                .store()
                .newestFirst(
                        "checkout.session",
                        s -> id.equals(Json.text(s, "payment_intent"))
                                && "complete".equals(Json.text(s, "status"))
                                && "unpaid".equals(Json.text(s, "payment_status")))
                .stream()
                .findFirst()
                .orElse(null);
    }

    private ObjectNode paymentMethod(String card) {
        if (card == null || card.isBlank()) {
            throw StripeApiError.card("incorrect_number", null, "card_number", "Your card number is incomplete.");
        }
        String value = card.trim();
        if (value.startsWith("pm_") || value.startsWith("tok_")) {
            return paymentMethods.resolve(value, "card_number");
        }
        CardProfile profile = CardCatalog.byNumber(value.replace(" ", ""), "card_number");
        return paymentMethods.newPaymentMethod(
                profile, 12, ZonedDateTime.now(ZoneOffset.UTC).getYear() + 3);
    }

    /** Pays a payment-mode session: one PaymentIntent per session, confirmed again on a new attempt. */
    private StripeApiError pay(ObjectNode session, ObjectNode pending, ObjectNode pm, String customer) {
        ObjectNode pi = state.store().find("payment_intent", Json.text(session, "payment_intent"));
        if (pi == null) {
            ObjectNode data = (ObjectNode) pending.get("payment_intent_data");
            StripeApiError failure = payments.collect(
                    session.get("amount_total").asLong(),
                    session.get("currency").asText(),
                    customer,
                    pm,
                    Json.text(data, "description"),
                    (ObjectNode) data.get("metadata"));
            session.put("payment_intent", payments.lastCollected().get("id").asText());
            return failure;
        }
        try {
            payments.attempt(pi, pm, null);
            return null;
        } catch (StripeApiError declined) {
            return declined;
        }
    }

    private String newCustomer(String email) {
        ObjectNode customer = Templates.blank("customer");
        String id = Ids.newId("cus");
        customer.put("id", id);
        customer.put("created", state.now());
        customer.put("invoice_prefix", Ids.random(8).toUpperCase());
        if (email != null) {
            customer.put("email", email);
        }
        state.put(customer);
        state.events().publish("customer.created", customer);
        return id;
    }

    private ObjectNode subscribe(ObjectNode session, ObjectNode pending, ObjectNode pm, String customer) {
        ObjectNode item = (ObjectNode) items(session.get("id").asText()).get(0);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("price", item.get("price").get("id").asText());
        line.put("quantity", item.get("quantity").asText());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("customer", customer);
        params.put("items", new LinkedHashMap<>(Map.of("0", line)));
        ObjectNode data = (ObjectNode) pending.get("subscription_data");
        if (data.has("metadata")) {
            Map<String, Object> metadata = new LinkedHashMap<>();
            data.get("metadata")
                    .properties()
                    .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
            params.put("metadata", metadata);
        }
        if (data.has("description")) {
            params.put("description", data.get("description").asText());
        }
        return subscriptions.create(new Params(params), pm);
    }
}
