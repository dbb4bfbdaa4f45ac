package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /v1/customers}: create, retrieve, update, delete, list, search. */
public final class CustomersApi {
    private static final List<String> FIELDS = List.of(
            "email",
            "name",
            "description",
            "phone",
            "metadata",
            "address",
            "shipping",
            "preferred_locales",
            "invoice_settings",
            "tax_exempt",
            "payment_method",
            "balance",
            "invoice_prefix",
            "next_invoice_sequence",
            "source",
            "tax",
            "tax_id_data",
            "test_clock",
            "cash_balance",
            "coupon",
            "promotion_code",
            "business_name",
            "individual_name",
            "validate",
            "default_source");
    private static final Set<String> SEARCH_FIELDS = Set.of("created", "email", "metadata", "name", "phone");

    private final FakeStripeState state;
    private final PaymentMethodsApi paymentMethods;
    private SubscriptionsApi subscriptions;

    /** Over this state; saved cards through {@code paymentMethods}. */
    public CustomersApi(FakeStripeState state, PaymentMethodsApi paymentMethods) {
        this.state = state;
        this.paymentMethods = paymentMethods;
    }

    /** The subscriptions a deleted customer's end with it. */
    public void setSubscriptions(SubscriptionsApi subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/customers", this::create);
        router.add("GET", "/v1/customers/search", this::search);
        router.add("GET", "/v1/customers/{id}", this::retrieve);
        router.add("POST", "/v1/customers/{id}", this::update);
        router.add("DELETE", "/v1/customers/{id}", this::delete);
        router.add("GET", "/v1/customers", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params().allowOnly(FIELDS);
        ObjectNode customer = Templates.blank("customer");
        String id = Ids.newId("cus");
        customer.put("id", id);
        customer.put("created", state.now());
        customer.put("invoice_prefix", Ids.random(8).toUpperCase());
        String clock = p.string("test_clock");
        if (clock != null) {
            // A customer on a test clock lives at the clock's time, from its creation on.
            ObjectNode testClock = state.store().require(TestClocksApi.OBJECT, clock, "test_clock");
            customer.put("test_clock", clock);
            customer.put("created", testClock.get("frozen_time").asLong());
        }
        String pmParam = p.string("payment_method");
        ObjectNode pm = pmParam == null ? null : paymentMethods.resolve(pmParam, "payment_method");
        if (pm != null && pm.hasNonNull("customer")) {
            throw StripeApiError.invalidParam(
                    "payment_method", "The payment method you provided has already been attached to a customer.");
        }
        apply(customer, p, pm == null ? null : pm.get("id").asText(), pmParam);
        state.put(customer);
        state.events().publish("customer.created", customer);
        if (pm != null) {
            paymentMethods.attach(pm, id);
        }
        return Render.one(state, customer, p);
    }

    /**
     * Applies the parameters; {@code attaching} is the PaymentMethod a create attaches (named {@code
     * named} in the request), which may already be the default.
     */
    private void apply(ObjectNode customer, Params p, String attaching, String named) {
        for (String f : new String[] {"email", "name", "description", "phone", "invoice_prefix"}) {
            Updates.text(customer, p, f);
        }
        if (p.has("email") && p.string("email") != null && !p.string("email").contains("@")) {
            throw StripeApiError.invalidRequest(
                    "email_invalid", "email", "Invalid email address: " + p.string("email"));
        }
        Long balance = p.integer("balance");
        if (balance != null) {
            customer.put("balance", balance);
        }
        String taxExempt = p.oneOf("tax_exempt", Set.of("none", "exempt", "reverse"));
        if (taxExempt != null) {
            customer.put("tax_exempt", taxExempt);
        }
        if (p.has("address")) {
            Params address = p.map("address");
            if (address == null) {
                customer.putNull("address");
            } else {
                customer.set("address", Updates.address(address));
            }
        }
        List<String> locales = p.stringList("preferred_locales");
        if (locales != null) {
            ArrayNode array = Json.array();
            locales.forEach(array::add);
            customer.set("preferred_locales", array);
        }
        Params invoiceSettings = p.map("invoice_settings");
        if (invoiceSettings != null) {
            String wanted = invoiceSettings.string("default_payment_method");
            if (wanted != null && wanted.equals(named)) {
                ((ObjectNode) customer.get("invoice_settings")).put("default_payment_method", attaching);
            } else {
                checkDefault(customer, invoiceSettings);
                Updates.text((ObjectNode) customer.get("invoice_settings"), invoiceSettings, "default_payment_method");
            }
            Updates.text((ObjectNode) customer.get("invoice_settings"), invoiceSettings, "footer");
        }
        Updates.applyMetadata(customer, p);
    }

    /**
     * A default for invoices must be one of the customer's saved cards, as on Stripe. (Stripe's test ids
     * such as {@code pm_card_visa} stay allowed: subscriptions attach a card of them when they pay.)
     */
    private void checkDefault(ObjectNode customer, Params invoiceSettings) {
        String id = invoiceSettings.string("default_payment_method");
        if (id == null || CardCatalog.isTestToken(id)) {
            return;
        }
        String param = invoiceSettings.name("default_payment_method");
        ObjectNode pm = state.store().require("payment_method", id, param);
        if (!Json.text(customer, "id").equals(Json.text(pm, "customer"))) {
            throw StripeApiError.invalidParam(
                    param,
                    "The customer does not have a payment method with the ID " + id
                            + ". The payment method must be attached to the customer.");
        }
    }

    private ObjectNode retrieve(ApiRequest req) {
        ObjectNode customer = state.store().find("customer", req.id());
        if (customer == null) {
            throw StripeApiError.resourceMissing("customer", req.id(), "id");
        }
        if (customer.path("deleted").asBoolean(false)) {
            return customer.deepCopy();
        }
        return Render.one(state, customer, req.params());
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly(FIELDS);
        if (p.has("test_clock")) {
            throw StripeApiError.unknownParam("test_clock"); // only when the customer is created
        }
        ObjectNode customer = live(req.id());
        ObjectNode before = customer.deepCopy();
        apply(customer, p, null, null);
        ObjectNode previous = Updates.previousAttributes(before, customer);
        if (!previous.isEmpty()) {
            state.events().publish("customer.updated", customer, previous);
        }
        return Render.one(state, customer, p);
    }

    private ObjectNode delete(ApiRequest req) {
        ObjectNode customer = live(req.id());
        if (subscriptions != null) {
            subscriptions.cancelAllOf(req.id());
        }
        state.events().publish("customer.deleted", customer);
        ObjectNode tombstone = Json.object();
        tombstone.put("id", req.id());
        tombstone.put("object", "customer");
        tombstone.put("deleted", true);
        state.put(tombstone);
        return tombstone.deepCopy();
    }

    private ObjectNode live(String id) {
        ObjectNode customer = state.store().require("customer", id, "id");
        if (customer.path("deleted").asBoolean(false)) {
            throw StripeApiError.resourceMissing("customer", id, "id");
        }
        return customer;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("created", "email", "test_clock"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "customer",
                        c -> !c.path("deleted").asBoolean(false)
                                && Lists.inRange(c, "created", p, "created")
                                && Lists.textEquals(c, "test_clock", p, "test_clock")
                                && Lists.textEquals(c, "email", p, "email"));
        return Lists.page("/v1/customers", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode search(ApiRequest req) {
        Params p = req.params().allowOnly("query", "limit", "page");
        SearchQuery query = SearchQuery.parse(p.string("query"), SEARCH_FIELDS);
        return Lists.searchPage(
                "/v1/customers/search",
                state.store().newestFirst("customer", c -> !c.path("deleted").asBoolean(false) && query.matches(c)),
                p,
                n -> Render.item(state, n, p));
    }
}
