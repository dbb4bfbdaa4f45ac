package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.Router.Access;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/payment_intents}: create, retrieve, update, confirm (also with a publishable key and the
 * client secret, as Stripe.js), cancel, list, search.
 */
public final class PaymentIntentsApi {
    private static final Map<String, Long> MINIMUM_AMOUNT =
            Map.of("usd", 50L, "eur", 50L, "gbp", 30L, "cad", 50L, "aud", 50L, "chf", 50L, "jpy", 50L);
    private static final Set<String> CANCELABLE = Set.of(
            "requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing");
    private static final Set<String> CONFIRMABLE =
            Set.of("requires_payment_method", "requires_confirmation", "requires_action");
    private static final List<String> CONFIRM_PARAMS = List.of(
            "payment_method",
            "payment_method_data",
            "return_url",
            "receipt_email",
            "setup_future_usage",
            "shipping",
            "off_session",
            "error_on_requires_action",
            "mandate",
            "mandate_data",
            "payment_method_options",
            "payment_method_types",
            "use_stripe_sdk",
            "capture_method",
            "radar_options",
            "confirmation_token",
            "client_secret",
            "allowed_payment_method_types",
            "amount_details",
            "amount_to_confirm",
            "excluded_payment_method_types",
            "hooks",
            "payment_details");
    private static final Set<String> SEARCH_FIELDS =
            Set.of("amount", "created", "currency", "customer", "metadata", "status", "description");

    private final FakeStripeState state;
    private final PaymentMethodsApi paymentMethods;
    private final Payments payments;

    /** Over this state. */
    public PaymentIntentsApi(FakeStripeState state, PaymentMethodsApi paymentMethods, Payments payments) {
        this.state = state;
        this.paymentMethods = paymentMethods;
        this.payments = payments;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/payment_intents", this::create);
        router.add("GET", "/v1/payment_intents/search", this::search);
        router.add("GET", "/v1/payment_intents/{id}", Access.PUBLISHABLE, this::retrieve);
        router.add("POST", "/v1/payment_intents/{id}", this::update);
        router.add("POST", "/v1/payment_intents/{id}/confirm", Access.PUBLISHABLE, this::confirm);
        router.add("POST", "/v1/payment_intents/{id}/cancel", this::cancel);
        router.add("GET", "/v1/payment_intents", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(List.of(
                "amount",
                "currency",
                "metadata",
                "customer",
                "description",
                "automatic_payment_methods",
                "confirm",
                "capture_method",
                "confirmation_method",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "transfer_group",
                "on_behalf_of",
                "application_fee_amount",
                "transfer_data",
                "excluded_payment_method_types",
                "payment_method_configuration",
                "customer_account"));
        allowed.addAll(CONFIRM_PARAMS);
        allowed.remove("client_secret");
        allowed.remove("amount_to_confirm");
        p.allowOnly(allowed);
        long amount = p.requiredInteger("amount");
        String currency = currency(p.requiredString("currency"), "currency");
        checkAmount(amount, currency);
        String customer = p.string("customer");
        if (customer != null) {
            state.store().require("customer", customer, "customer");
        }
        String captureMethod = p.oneOf("capture_method", Set.of("automatic", "automatic_async"));
        if (p.has("capture_method") && captureMethod == null) {
            throw StripeApiError.invalidParam("capture_method", "Invalid capture_method.");
        }
        Params apm = p.map("automatic_payment_methods");
        List<String> types = p.stringList("payment_method_types");
        if (types != null && !types.stream().allMatch("card"::equals)) {
            throw StripeApiError.invalidParam(
                    "payment_method_types", "FakeStripe supports the card payment method type only.");
        }
        if (apm != null && types != null) {
            throw StripeApiError.invalidParam(
                    "automatic_payment_methods",
                    "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.");
        }
        boolean confirm = Boolean.TRUE.equals(p.bool("confirm"));
        boolean offSession = offSession(p);
        if (offSession && !confirm) {
            throw StripeApiError.invalidParam(
                    "off_session",
                    "You may only specify off_session when confirming the PaymentIntent (confirm=true).");
        }
        ObjectNode pi = Templates.blank("payment_intent");
        String id = Ids.newId("pi");
        pi.put("id", id);
        pi.put("amount", amount);
        pi.put("currency", currency);
        pi.put("created", state.now());
        pi.put("client_secret", id + "_secret_" + Ids.random(25));
        if (captureMethod != null) {
            pi.put("capture_method", captureMethod);
        }
        if (customer != null) {
            pi.put("customer", customer);
        }
        if (types == null) {
            ObjectNode auto = Json.object();
            auto.put(
                    "allow_redirects",
                    apm == null || apm.string("allow_redirects") == null ? "always" : apm.string("allow_redirects"));
            auto.put("enabled", apm == null || !Boolean.FALSE.equals(apm.bool("enabled")));
            if (auto.get("enabled").asBoolean()) {
                pi.set("automatic_payment_methods", auto);
                ObjectNode config = Json.object();
                config.put("id", "pmc_" + Ids.random(24));
                config.putNull("parent");
                pi.set("payment_method_configuration_details", config);
            }
        }
        Updates.text(pi, p, "description");
        Updates.text(pi, p, "receipt_email");
        Updates.text(pi, p, "statement_descriptor");
        Updates.text(pi, p, "statement_descriptor_suffix");
        Updates.text(pi, p, "transfer_group");
        String sfu = p.oneOf("setup_future_usage", Set.of("on_session", "off_session"));
        if (sfu != null) {
            pi.put("setup_future_usage", sfu);
        }
        Updates.applyMetadata(pi, p);
        applyShipping(pi, p);
        ObjectNode pm = resolvePaymentMethod(p, null);
        if (pm != null) {
            pi.put("payment_method", pm.get("id").asText());
            pi.put("status", "requires_confirmation");
        }
        state.put(pi);
        state.events().publish("payment_intent.created", pi);
        if (confirm) {
            if (pm == null) {
                throw missingPaymentMethod();
            }
            payments.attempt(pi, pm, p.string("return_url"), offSession);
        }
        return Render.one(state, pi, p);
    }

    private ObjectNode retrieve(ApiRequest req) {
        Params p = req.params();
        ObjectNode pi = state.store().require("payment_intent", req.id(), "id");
        if (req.publishable()) {
            checkClientSecret(pi, p);
        }
        return Render.one(state, pi, p);
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "amount",
                        "currency",
                        "metadata",
                        "customer",
                        "description",
                        "payment_method",
                        "payment_method_data",
                        "receipt_email",
                        "setup_future_usage",
                        "shipping",
                        "statement_descriptor",
                        "statement_descriptor_suffix",
                        "transfer_group",
                        "payment_method_types",
                        "capture_method",
                        "application_fee_amount",
                        "transfer_data",
                        "payment_method_options",
                        "excluded_payment_method_types",
                        "payment_method_configuration",
                        "allowed_payment_method_types",
                        "amount_details",
                        "hooks",
                        "payment_details",
                        "customer_account");
        ObjectNode pi = state.store().require("payment_intent", req.id(), "id");
        String status = Json.text(pi, "status");
        boolean open = CONFIRMABLE.contains(status);
        for (String field : List.of(
                "amount",
                "currency",
                "payment_method",
                "payment_method_data",
                "customer",
                "setup_future_usage",
                "capture_method")) {
            if (p.has(field) && !open) {
                throw StripeApiError.unexpectedState("You cannot update this PaymentIntent's " + field
                                + " because it has a status of " + status + ".")
                        .with("payment_intent", pi.deepCopy());
            }
        }
        Long amount = p.integer("amount");
        String currency =
                p.string("currency") == null ? Json.text(pi, "currency") : currency(p.string("currency"), "currency");
        if (amount != null || p.has("currency")) {
            checkAmount(amount == null ? pi.get("amount").asLong() : amount, currency);
        }
        String customer = p.string("customer");
        if (customer != null) {
            state.store().require("customer", customer, "customer");
        }
        ObjectNode pm = resolvePaymentMethod(p, null);
        // Stripe has no payment_intent.updated event: an update publishes nothing.
        if (amount != null) {
            pi.put("amount", amount);
        }
        pi.put("currency", currency);
        if (customer != null) {
            pi.put("customer", customer);
        }
        Updates.text(pi, p, "description");
        Updates.text(pi, p, "receipt_email");
        Updates.text(pi, p, "statement_descriptor");
        Updates.text(pi, p, "statement_descriptor_suffix");
        Updates.text(pi, p, "transfer_group");
        Updates.text(pi, p, "setup_future_usage");
        Updates.applyMetadata(pi, p);
        applyShipping(pi, p);
        if (pm != null) {
            pi.put("payment_method", pm.get("id").asText());
            pi.put("status", "requires_confirmation");
            pi.putNull("last_payment_error");
        }
        return Render.one(state, pi, p);
    }

    private ObjectNode confirm(ApiRequest req) {
        Params p = req.params();
        if (!req.publishable()) {
            p.allowOnly(CONFIRM_PARAMS);
        }
        ObjectNode pi = state.store().require("payment_intent", req.id(), "id");
        if (req.publishable()) {
            checkClientSecret(pi, p);
        }
        String status = Json.text(pi, "status");
        if (!CONFIRMABLE.contains(status)) {
            throw StripeApiError.unexpectedState("You cannot confirm this PaymentIntent because it has a"
                            + " status of " + status + ". Only a PaymentIntent with one of the following statuses may"
                            + " be confirmed: requires_confirmation, requires_payment_method, requires_action.")
                    .with("payment_intent", pi.deepCopy());
        }
        ObjectNode pm = resolvePaymentMethod(p, pi);
        if (pm == null) {
            throw missingPaymentMethod().with("payment_intent", pi.deepCopy());
        }
        Updates.text(pi, p, "receipt_email");
        applyShipping(pi, p);
        String sfu = p.oneOf("setup_future_usage", Set.of("on_session", "off_session"));
        if (sfu != null) {
            pi.put("setup_future_usage", sfu);
        }
        payments.attempt(pi, pm, p.string("return_url"), offSession(p));
        return Render.one(state, pi, p);
    }

    /**
     * {@code off_session}: {@code true} (or Stripe's older {@code one_off}/{@code recurring}) when the
     * customer is not there to authenticate.
     */
    private static boolean offSession(Params p) {
        String value = p.oneOf("off_session", Set.of("true", "false", "one_off", "recurring"));
        return value != null && !value.equals("false");
    }

    private ObjectNode cancel(ApiRequest req) {
        Params p = req.params().allowOnly("cancellation_reason");
        ObjectNode pi = state.store().require("payment_intent", req.id(), "id");
        String reason =
                p.oneOf("cancellation_reason", Set.of("duplicate", "fraudulent", "requested_by_customer", "abandoned"));
        String status = Json.text(pi, "status");
        if (!CANCELABLE.contains(status)) {
            throw StripeApiError.unexpectedState("You cannot cancel this PaymentIntent because it has a"
                            + " status of " + status + ". Only a PaymentIntent with one of the following statuses may"
                            + " be canceled: requires_payment_method, requires_capture, requires_confirmation,"
                            + " requires_action, processing.")
                    .with("payment_intent", pi.deepCopy());
        }
        pi.put("status", "canceled");
        pi.put("canceled_at", state.now());
        pi.putNull("next_action");
        pi.putNull("processing");
        if (reason != null) {
            pi.put("cancellation_reason", reason);
        }
        state.events().publish("payment_intent.canceled", pi);
        return Render.one(state, pi, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("created", "customer", "customer_account"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "payment_intent",
                        pi -> Lists.inRange(pi, "created", p, "created")
                                && Lists.textEquals(pi, "customer", p, "customer"));
        return Lists.page("/v1/payment_intents", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode search(ApiRequest req) {
        Params p = req.params().allowOnly("query", "limit", "page");
        SearchQuery query = SearchQuery.parse(p.string("query"), SEARCH_FIELDS);
        List<ObjectNode> items = state.store().newestFirst("payment_intent", query::matches);
        return Lists.searchPage("/v1/payment_intents/search", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode resolvePaymentMethod(Params p, ObjectNode pi) {
        String id = p.string("payment_method");
        if (id != null) {
            return paymentMethods.resolve(id, "payment_method");
        }
        Params data = p.map("payment_method_data");
        if (data != null) {
            String type = data.requiredString("type");
            if (!type.equals("card")) {
                throw StripeApiError.invalidParam(
                        data.name("type"), "FakeStripe supports PaymentMethods of type card only, not " + type + ".");
            }
            return paymentMethods.fromCardParams(data);
        }
        if (pi != null && pi.get("payment_method").isTextual()) {
            return state.store().find("payment_method", pi.get("payment_method").asText());
        }
        return null;
    }

    private static StripeApiError missingPaymentMethod() {
        return StripeApiError.invalidRequest(
                "payment_intent_unexpected_state",
                "payment_method",
                "You cannot confirm this PaymentIntent because it's missing a payment method. You can"
                        + " either update the PaymentIntent with a payment method and then confirm it again, or"
                        + " confirm it again directly with a payment method.");
    }

    private static void checkClientSecret(ObjectNode pi, Params p) {
        String secret = p.string("client_secret");
        if (secret == null) {
            throw StripeApiError.missingParam("client_secret");
        }
        if (!secret.equals(Json.text(pi, "client_secret"))) {
            throw StripeApiError.invalidParam(
                    "client_secret",
                    "The client_secret provided does not match the client_secret associated with the"
                            + " PaymentIntent.");
        }
    }

    private static void applyShipping(ObjectNode pi, Params p) {
        if (!p.has("shipping")) {
            return;
        }
        Params shipping = p.map("shipping");
        if (shipping == null) {
            pi.putNull("shipping");
            return;
        }
        shipping.allowOnly("address", "name", "carrier", "phone", "tracking_number");
        ObjectNode node = Json.object();
        Params address = shipping.map("address");
        if (address == null) {
            throw StripeApiError.missingParam(shipping.name("address"));
        }
        node.set("address", Updates.address(address));
        node.put("name", shipping.requiredString("name"));
        for (String f : new String[] {"carrier", "phone", "tracking_number"}) {
            String v = shipping.string(f);
            if (v == null) {
                node.putNull(f);
            } else {
                node.put(f, v);
            }
        }
        pi.set("shipping", node);
    }

    /** A lower-case three-letter currency code, or 400 naming {@code param}. */
    static String currency(String given, String param) {
        String c = given.toLowerCase();
        if (!c.matches("[a-z]{3}")) {
            throw StripeApiError.invalidParam(param, "Invalid currency: " + given);
        }
        return c;
    }

    private static void checkAmount(long amount, String currency) {
        if (amount < 1) {
            throw StripeApiError.invalidRequest(
                    "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.");
        }
        Long minimum = MINIMUM_AMOUNT.get(currency);
        if (minimum != null && amount < minimum) {
            throw StripeApiError.invalidRequest(
                    "amount_too_small",
                    "amount",
                    "Amount must be at least " + minimum + " " + currency + " in the currency's minor unit.");
        }
        if (amount > 99_999_999L) {
            throw StripeApiError.invalidRequest(
                    "amount_too_large", "amount", "Amount must be no more than 99999999 in the currency's minor unit.");
        }
    }
}
