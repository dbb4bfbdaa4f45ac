package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/subscriptions} with one item: create (pays the first invoice at once, or leaves it open
 * with {@code payment_behavior=default_incomplete}), retrieve, update (price switch with prorations,
 * {@code cancel_at_period_end}, metadata, default payment method), cancel, list. Times are the customer's
 * test clock's. Periods sit on the items ({@code items.data[].current_period_*}) as since API version
 * 2025-03-31; {@link ApiShapes} copies them up for older versions.
 */
public final class SubscriptionsApi {
    private static final List<String> CREATE_PARAMS = List.of(
            "customer",
            "items",
            "default_payment_method",
            "metadata",
            "payment_behavior",
            "cancel_at_period_end",
            "proration_behavior",
            "description",
            "collection_method",
            "off_session",
            "payment_settings",
            "currency");
    private static final Set<String> PAYMENT_BEHAVIORS =
            Set.of("allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete");
    private static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");
    private static final Set<String> PRORATIONS = Set.of("always_invoice", "create_prorations", "none");
    private static final Set<String> STATUSES = Set.of(
            "active",
            "past_due",
            "unpaid",
            "canceled",
            "incomplete",
            "incomplete_expired",
            "trialing",
            "paused",
            "all",
            "ended");

    private final FakeStripeState state;
    private final Invoices invoices;
    private final PaymentMethodsApi paymentMethods;

    /** Over this state. */
    public SubscriptionsApi(FakeStripeState state, Invoices invoices, PaymentMethodsApi paymentMethods) {
        this.state = state;
        this.invoices = invoices;
        this.paymentMethods = paymentMethods;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/subscriptions", r -> Render.one(state, create(r.params(), null), r.params()));
        router.add(
                "GET",
                "/v1/subscriptions/{id}",
                r -> Render.one(state, state.store().require("subscription", r.id(), "id"), r.params()));
        router.add("POST", "/v1/subscriptions/{id}", this::update);
        router.add("DELETE", "/v1/subscriptions/{id}", this::cancel);
        router.add("GET", "/v1/subscriptions", this::list);
    }

    /**
     * Creates a subscription from subscription parameters (also Checkout's); {@code paymentMethod}, when
     * given, pays the first invoice in place of the defaults.
     */
    public ObjectNode create(Params p, ObjectNode paymentMethod) {
        p.allowOnly(CREATE_PARAMS);
        String customerId = p.requiredString("customer");
        ObjectNode customer = state.store().require("customer", customerId, "customer");
        if (customer.path("deleted").asBoolean(false)) {
            throw StripeApiError.resourceMissing("customer", customerId, "customer");
        }
        List<Object> items = p.list("items");
        if (items == null || items.isEmpty()) {
            throw StripeApiError.missingParam("items");
        }
        if (items.size() > 1) {
            throw StripeApiError.invalidParam("items", "FakeStripe emulates subscriptions with one item.");
        }
        Params itemParams = p.map("items").map("0");
        itemParams.allowOnly("price", "quantity", "metadata");
        ObjectNode price = recurringPrice(itemParams);
        String behavior = p.oneOf("payment_behavior", PAYMENT_BEHAVIORS);
        p.oneOf("proration_behavior", PRORATIONS);
        ObjectNode pm = paymentMethod == null ? null : attachTo(paymentMethod, customerId);
        String pmParam = p.string("default_payment_method");
        if (pmParam != null) {
            pm = attachTo(paymentMethods.resolve(pmParam, "default_payment_method"), customerId);
        }
        if ("error_if_incomplete".equals(behavior)) {
            refuseDeclinedCard(pm != null ? pm : defaultPaymentMethod(customer));
        }
        long now = TestClocksApi.nowFor(state, customerId);
        ObjectNode sub = Templates.blank("subscription");
        String id = Ids.newId("sub");
        sub.put("id", id);
        sub.put("created", now);
        sub.put("start_date", now);
        sub.put("billing_cycle_anchor", now);
        sub.put("currency", price.get("currency").asText());
        sub.put("customer", customerId);
        sub.set("test_clock", customer.get("test_clock").deepCopy());
        if (pm != null && (pmParam != null || paymentMethod != null)) {
            sub.put("default_payment_method", pm.get("id").asText());
        }
        Updates.text(sub, p, "description");
        Updates.applyMetadata(sub, p);
        ObjectNode item = Templates.blank("subscription_item");
        item.put("id", Ids.newId("si"));
        item.put("created", now);
        item.put("subscription", id);
        Long quantity = itemParams.integer("quantity");
        item.put("quantity", quantity == null ? 1 : quantity);
        Updates.applyMetadata(item, itemParams);
        setPrice(item, price);
        item.put("current_period_start", now);
        item.put("current_period_end", Intervals.after(now, price.get("recurring"), 1));
        ObjectNode list = (ObjectNode) sub.get("items");
        list.set("data", Json.array().add(item));
        list.put("total_count", 1);
        list.put("url", "/v1/subscription_items?subscription=" + id);
        if (Boolean.TRUE.equals(p.bool("cancel_at_period_end"))) {
            cancelAtPeriodEnd(sub, true, now);
        }
        state.put(sub);
        long amount = price.get("unit_amount").asLong() * item.get("quantity").asLong();
        ObjectNode invoice = invoices.create(
                sub,
                "subscription_create",
                List.of(invoices.line(
                        item, amount, now, item.get("current_period_end").asLong(), false, invoices.describe(item))),
                now,
                now,
                now);
        sub.put("latest_invoice", invoice.get("id").asText());
        invoices.finalizeInvoice(invoice, now);
        StripeApiError failure = null;
        if (!"default_incomplete".equals(behavior)) {
            ObjectNode payWith = pm != null ? pm : invoices.paymentMethodFor(invoice, null);
            failure = invoices.pay(invoice, payWith, now, false);
            sub.put("status", failure == null ? "active" : "incomplete");
        }
        state.events().publish("customer.subscription.created", sub);
        return sub;
    }

    private ObjectNode defaultPaymentMethod(ObjectNode customer) {
        String id = Json.text(customer.get("invoice_settings"), "default_payment_method");
        return id == null ? null : paymentMethods.resolve(id, "customer");
    }

    /**
     * {@code error_if_incomplete}: Stripe creates nothing when the first payment fails; FakeStripe knows
     * a test card's outcome beforehand and answers its 402 before creating anything.
     */
    private void refuseDeclinedCard(ObjectNode pm) {
        if (pm == null) {
            throw StripeApiError.invalidRequest(
                    "resource_missing",
                    "default_payment_method",
                    "This customer has no attached payment source or default payment method.");
        }
        CardProfile card = state.cardOf(pm.get("id").asText());
        if (card != null && card.outcome() == CardProfile.Outcome.DECLINE) {
            throw StripeApiError.card(card.code(), card.declineCode(), null, card.message());
        }
        boolean setUp = CardCatalog.authenticatedOnceSetUp(card)
                && state.isSetUp(pm.get("id").asText());
        if (card != null && card.outcome() == CardProfile.Outcome.REQUIRE_AUTHENTICATION && !setUp) {
            throw StripeApiError.card(
                    "authentication_required",
                    "authentication_required",
                    null,
                    "Your card was declined. This transaction requires authentication.");
        }
    }

    private ObjectNode recurringPrice(Params itemParams) {
        String priceId = itemParams.requiredString("price");
        ObjectNode price = state.store().require("price", priceId, itemParams.name("price"));
        if (!"recurring".equals(Json.text(price, "type"))) {
            throw StripeApiError.invalidParam(
                    itemParams.name("price"),
                    "The price specified is set to `type=one_time` but this field only accepts prices with"
                            + " `type=recurring`.");
        }
        if (price.get("unit_amount").isNull()) {
            throw StripeApiError.invalidParam(
                    itemParams.name("price"), "FakeStripe subscriptions need prices with a unit_amount.");
        }
        return price;
    }

    private ObjectNode attachTo(ObjectNode pm, String customerId) {
        if (pm.get("customer").isNull()) {
            pm.put("customer", customerId);
            state.events().publish("payment_method.attached", pm);
        }
        return pm;
    }

    private static void setPrice(ObjectNode item, ObjectNode price) {
        item.set("price", price.deepCopy());
        ObjectNode recurring = (ObjectNode) price.get("recurring");
        ObjectNode plan = Json.object();
        plan.put("id", price.get("id").asText());
        plan.put("object", "plan");
        plan.set("active", price.get("active").deepCopy());
        plan.set("amount", price.get("unit_amount").deepCopy());
        plan.set("amount_decimal", price.get("unit_amount_decimal").deepCopy());
        plan.put("billing_scheme", "per_unit");
        plan.set("created", price.get("created").deepCopy());
        plan.set("currency", price.get("currency").deepCopy());
        plan.set("interval", recurring.get("interval").deepCopy());
        plan.set("interval_count", recurring.get("interval_count").deepCopy());
        plan.put("livemode", false);
        plan.set("metadata", price.get("metadata").deepCopy());
        plan.putNull("meter");
        plan.set("nickname", price.get("nickname").deepCopy());
        plan.set("product", price.get("product").deepCopy());
        plan.putNull("tiers_mode");
        plan.putNull("transform_usage");
        plan.set("trial_period_days", recurring.get("trial_period_days").deepCopy());
        plan.set("usage_type", recurring.get("usage_type").deepCopy());
        item.set("plan", plan);
    }

    private static ObjectNode item(ObjectNode sub) {
        return (ObjectNode) sub.get("items").get("data").get(0);
    }

    private static void cancelAtPeriodEnd(ObjectNode sub, boolean cancel, long now) {
        sub.put("cancel_at_period_end", cancel);
        ObjectNode details = (ObjectNode) sub.get("cancellation_details");
        if (cancel) {
            sub.put("cancel_at", item(sub).get("current_period_end").asLong());
            sub.put("canceled_at", now);
            details.put("reason", "cancellation_requested");
        } else {
            sub.putNull("cancel_at");
            sub.putNull("canceled_at");
            details.putNull("reason");
        }
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "items",
                        "metadata",
                        "cancel_at_period_end",
                        "proration_behavior",
                        "payment_behavior",
                        "default_payment_method",
                        "description",
                        "off_session",
                        "proration_date",
                        "cancellation_details");
        ObjectNode sub = state.store().require("subscription", req.id(), "id");
        return Render.one(state, update(sub, p), p);
    }

    /** Applies subscription update parameters (also the portal's cancel at period end). */
    public ObjectNode update(ObjectNode sub, Params p) {
        String status = Json.text(sub, "status");
        if ("canceled".equals(status) || "incomplete_expired".equals(status)) {
            throw StripeApiError.invalidRequest(
                    null, null, "A canceled subscription can only update its cancellation_details and metadata.");
        }
        String proration = p.oneOf("proration_behavior", PRORATIONS);
        p.oneOf("payment_behavior", PAYMENT_BEHAVIORS);
        String customerId = sub.get("customer").asText();
        long now = TestClocksApi.nowFor(state, customerId);
        ObjectNode before = sub.deepCopy();
        ObjectNode newPrice = null;
        Params itemParams = null;
        if (p.list("items") != null) {
            if (p.list("items").size() != 1) {
                throw StripeApiError.invalidParam("items", "FakeStripe emulates subscriptions with one item.");
            }
            itemParams = p.map("items").map("0");
            itemParams.allowOnly("id", "price", "quantity", "metadata");
            String itemId = itemParams.string("id");
            if (itemId != null && !itemId.equals(item(sub).get("id").asText())) {
                throw StripeApiError.invalidParam(itemParams.name("id"), "No such subscription item: '" + itemId + "'");
            }
            if (itemParams.string("price") != null) {
                newPrice = recurringPrice(itemParams);
            }
        }
        String pmParam = p.string("default_payment_method");
        if (pmParam != null) {
            sub.put(
                    "default_payment_method",
                    attachTo(paymentMethods.resolve(pmParam, "default_payment_method"), customerId)
                            .get("id")
                            .asText());
        } else if (p.has("default_payment_method")) {
            sub.putNull("default_payment_method");
        }
        Updates.text(sub, p, "description");
        Updates.applyMetadata(sub, p);
        Boolean cancel = p.bool("cancel_at_period_end");
        if (cancel != null && cancel != sub.get("cancel_at_period_end").asBoolean()) {
            cancelAtPeriodEnd(sub, cancel, now);
        }
        ObjectNode item = item(sub);
        ObjectNode oldItem = item.deepCopy();
        if (itemParams != null) {
            Long quantity = itemParams.integer("quantity");
            if (quantity != null) {
                item.put("quantity", quantity);
            }
            Updates.applyMetadata(item, itemParams);
        }
        boolean changed = newPrice != null
                        && !newPrice.get("id")
                                .asText()
                                .equals(oldItem.get("price").get("id").asText())
                || item.get("quantity").asLong() != oldItem.get("quantity").asLong();
        if (newPrice != null) {
            setPrice(item, newPrice);
        }
        if (changed && "always_invoice".equals(proration)) {
            prorate(sub, oldItem, item, now);
        }
        ObjectNode previous = Updates.previousAttributes(before, sub);
        if (!previous.isEmpty()) {
            state.events().publish("customer.subscription.updated", sub, previous);
        }
        return sub;
    }

    /** Invoices the price change for the rest of the period now: unused time back, remaining time on. */
    private void prorate(ObjectNode sub, ObjectNode oldItem, ObjectNode item, long now) {
        long start = item.get("current_period_start").asLong();
        long end = item.get("current_period_end").asLong();
        long from = Math.max(start, Math.min(now, end));
        double share = (double) (end - from) / (end - start);
        long unused = Math.round(oldItem.get("price").get("unit_amount").asLong()
                * oldItem.get("quantity").asLong()
                * share);
        long remaining = Math.round(item.get("price").get("unit_amount").asLong()
                * item.get("quantity").asLong()
                * share);
        List<ObjectNode> lines = new ArrayList<>();
        lines.add(invoices.line(oldItem, -unused, from, end, true, "Unused time on " + invoices.describe(oldItem)));
        lines.add(invoices.line(item, remaining, from, end, true, "Remaining time on " + invoices.describe(item)));
        ObjectNode invoice = invoices.create(sub, "subscription_update", lines, now, now, now);
        sub.put("latest_invoice", invoice.get("id").asText());
        invoices.finalizeInvoice(invoice, now);
        if (invoices.pay(invoice, invoices.paymentMethodFor(invoice, null), now, false) != null) {
            sub.put("status", "past_due");
        }
    }

    private ObjectNode cancel(ApiRequest req) {
        Params p = req.params().allowOnly("invoice_now", "prorate", "cancellation_details");
        ObjectNode sub = state.store().require("subscription", req.id(), "id");
        if (ENDED.contains(Json.text(sub, "status"))) {
            throw StripeApiError.invalidRequest(
                    null, null, "No such subscription: '" + req.id() + "' is already canceled.");
        }
        cancelNow(sub);
        return Render.one(state, sub, p);
    }

    private void cancelNow(ObjectNode sub) {
        long now = TestClocksApi.nowFor(state, sub.get("customer").asText());
        sub.put("status", "canceled");
        sub.put("canceled_at", now);
        sub.put("ended_at", now);
        ((ObjectNode) sub.get("cancellation_details")).put("reason", "cancellation_requested");
        state.events().publish("customer.subscription.deleted", sub);
    }

    /** Cancels every subscription of a customer that is being deleted, as Stripe does. */
    public void cancelAllOf(String customerId) {
        for (ObjectNode sub : state.store()
                .newestFirst(
                        "subscription",
                        s -> customerId.equals(Json.text(s, "customer")) && !ENDED.contains(Json.text(s, "status")))) {
            cancelNow(sub);
        }
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("customer", "status", "price", "test_clock", "created", "collection_method"));
        p.allowOnly(allowed);
        String status = p.oneOf("status", STATUSES);
        String price = p.string("price");
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "subscription",
                        s -> Lists.textEquals(s, "customer", p, "customer")
                                && Lists.textEquals(s, "test_clock", p, "test_clock")
                                && Lists.inRange(s, "created", p, "created")
                                && statusMatches(Json.text(s, "status"), status)
                                && (price == null
                                        || price.equals(
                                                item(s).get("price").get("id").asText())));
        return Lists.page("/v1/subscriptions", items, p, n -> Render.item(state, n, p));
    }

    private static boolean statusMatches(String actual, String wanted) {
        if (wanted == null) {
            return !"canceled".equals(actual) && !"incomplete_expired".equals(actual);
        }
        return switch (wanted) {
            case "all" -> true;
            case "ended" -> "canceled".equals(actual) || "incomplete_expired".equals(actual);
            default -> wanted.equals(actual);
        };
    }
}
