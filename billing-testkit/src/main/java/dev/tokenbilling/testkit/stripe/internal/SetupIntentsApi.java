package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.Router.Access;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/setup_intents}: save a card for later payments without charging it. Create, retrieve,
 * update, confirm (also with a publishable key and the client secret, as Stripe.js), cancel, list.
 */
public final class SetupIntentsApi {
    private static final Set<String> CONFIRMABLE =
            Set.of("requires_payment_method", "requires_confirmation", "requires_action");
    private static final List<String> CONFIRM_PARAMS = List.of(
            "payment_method",
            "payment_method_data",
            "return_url",
            "mandate_data",
            "payment_method_options",
            "use_stripe_sdk",
            "confirmation_token",
            "client_secret");

    private final FakeStripeState state;
    private final PaymentMethodsApi paymentMethods;
    private final CardSetups setups;

    /** Over this state. */
    public SetupIntentsApi(FakeStripeState state, PaymentMethodsApi paymentMethods, CardSetups setups) {
        this.state = state;
        this.paymentMethods = paymentMethods;
        this.setups = setups;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/setup_intents", this::create);
        router.add("GET", "/v1/setup_intents/{id}", Access.PUBLISHABLE, this::retrieve);
        router.add("POST", "/v1/setup_intents/{id}", this::update);
        router.add("POST", "/v1/setup_intents/{id}/confirm", Access.PUBLISHABLE, this::confirm);
        router.add("POST", "/v1/setup_intents/{id}/cancel", this::cancel);
        router.add("GET", "/v1/setup_intents", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(List.of(
                "customer",
                "usage",
                "confirm",
                "description",
                "metadata",
                "automatic_payment_methods",
                "payment_method_types",
                "excluded_payment_method_types",
                "payment_method_configuration",
                "on_behalf_of",
                "flow_directions",
                "single_use",
                "attach_to_self",
                "customer_account"));
        allowed.addAll(CONFIRM_PARAMS);
        allowed.remove("client_secret");
        p.allowOnly(allowed);
        String customer = p.string("customer");
        if (customer != null) {
            liveCustomer(customer);
        }
        String usage = p.oneOf("usage", Set.of("on_session", "off_session"));
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
        ObjectNode pm = resolvePaymentMethod(p, null);
        if (confirm && pm == null) {
            throw missingPaymentMethod();
        }
        ObjectNode si = Templates.blank("setup_intent");
        String id = Ids.newId("seti");
        si.put("id", id);
        si.put("created", state.now());
        si.put("client_secret", id + "_secret_" + Ids.random(40));
        if (customer != null) {
            si.put("customer", customer);
        }
        if (usage != null) {
            si.put("usage", usage);
        }
        if (types == null && (apm == null || !Boolean.FALSE.equals(apm.bool("enabled")))) {
            // As PaymentIntents: without payment_method_types, automatic payment methods are on.
            ObjectNode auto = Json.object();
            String redirects = apm == null ? null : apm.string("allow_redirects");
            auto.put("allow_redirects", redirects == null ? "always" : redirects);
            auto.put("enabled", true);
            si.set("automatic_payment_methods", auto);
            ObjectNode config = Json.object();
            config.put("id", "pmc_" + Ids.random(24));
            config.putNull("parent");
            si.set("payment_method_configuration_details", config);
        }
        Updates.text(si, p, "description");
        Updates.applyMetadata(si, p);
        if (pm != null) {
            si.put("payment_method", pm.get("id").asText());
            si.put("status", "requires_confirmation");
        }
        state.put(si);
        state.events().publish("setup_intent.created", si);
        if (confirm) {
            checkOwner(si, pm);
            setups.confirm(si, pm, p.string("return_url"));
        }
        return Render.one(state, si, p);
    }

    private ObjectNode retrieve(ApiRequest req) {
        Params p = req.params();
        ObjectNode si = state.store().require("setup_intent", req.id(), "id");
        if (req.publishable()) {
            checkClientSecret(si, p);
        }
        return Render.one(state, si, p);
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "customer",
                        "description",
                        "metadata",
                        "payment_method",
                        "payment_method_data",
                        "payment_method_types",
                        "payment_method_options",
                        "excluded_payment_method_types",
                        "payment_method_configuration",
                        "flow_directions",
                        "attach_to_self",
                        "customer_account");
        ObjectNode si = state.store().require("setup_intent", req.id(), "id");
        String status = Json.text(si, "status");
        if (!CONFIRMABLE.contains(status)) {
            throw unexpectedState("You cannot update this SetupIntent because it has a status of " + status + ".", si);
        }
        String customer = p.string("customer");
        if (customer != null) {
            liveCustomer(customer);
            si.put("customer", customer);
        }
        ObjectNode pm = resolvePaymentMethod(p, null);
        // Stripe has no setup_intent.updated event: an update publishes nothing.
        Updates.text(si, p, "description");
        Updates.applyMetadata(si, p);
        if (pm != null) {
            si.put("payment_method", pm.get("id").asText());
            si.put("status", "requires_confirmation");
            si.putNull("last_setup_error");
            si.putNull("next_action");
        }
        return Render.one(state, si, p);
    }

    private ObjectNode confirm(ApiRequest req) {
        Params p = req.params();
        if (!req.publishable()) {
            p.allowOnly(CONFIRM_PARAMS);
        }
        ObjectNode si = state.store().require("setup_intent", req.id(), "id");
        if (req.publishable()) {
            checkClientSecret(si, p);
        }
        String status = Json.text(si, "status");
        if (!CONFIRMABLE.contains(status)) {
            throw unexpectedState(
                    "You cannot confirm this SetupIntent because it has a status of " + status + ". Only a"
                            + " SetupIntent with one of the following statuses may be confirmed:"
                            + " requires_confirmation, requires_payment_method, requires_action.",
                    si);
        }
        ObjectNode pm = resolvePaymentMethod(p, si);
        if (pm == null) {
            throw missingPaymentMethod().with("setup_intent", si.deepCopy());
        }
        checkOwner(si, pm);
        setups.confirm(si, pm, p.string("return_url"));
        return Render.one(state, si, p);
    }

    private ObjectNode cancel(ApiRequest req) {
        Params p = req.params().allowOnly("cancellation_reason");
        ObjectNode si = state.store().require("setup_intent", req.id(), "id");
        String reason = p.oneOf("cancellation_reason", Set.of("abandoned", "duplicate", "requested_by_customer"));
        String status = Json.text(si, "status");
        if (!CONFIRMABLE.contains(status)) {
            throw unexpectedState(
                    "You cannot cancel this SetupIntent because it has a status of " + status + ". Only a"
                            + " SetupIntent with one of the following statuses may be canceled:"
                            + " requires_payment_method, requires_confirmation, requires_action.",
                    si);
        }
        si.put("status", "canceled");
        si.putNull("next_action");
        if (reason != null) {
            si.put("cancellation_reason", reason);
        }
        state.events().publish("setup_intent.canceled", si);
        return Render.one(state, si, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("created", "customer", "payment_method", "attach_to_self", "customer_account"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "setup_intent",
                        si -> Lists.inRange(si, "created", p, "created")
                                && Lists.textEquals(si, "customer", p, "customer")
                                && Lists.textEquals(si, "payment_method", p, "payment_method"));
        return Lists.page("/v1/setup_intents", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode resolvePaymentMethod(Params p, ObjectNode si) {
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
        if (si != null && si.get("payment_method").isTextual()) {
            return state.store().find("payment_method", si.get("payment_method").asText());
        }
        return null;
    }

    /** A card saved to one customer cannot be set up for another. */
    private static void checkOwner(ObjectNode si, ObjectNode pm) {
        String owner = Json.text(pm, "customer");
        if (owner != null && !owner.equals(Json.text(si, "customer"))) {
            throw StripeApiError.invalidParam(
                            "payment_method",
                            "The provided PaymentMethod is attached to another customer than the one on this"
                                    + " SetupIntent.")
                    .with("setup_intent", si.deepCopy());
        }
    }

    private void liveCustomer(String id) {
        ObjectNode customer = state.store().find("customer", id);
        if (customer == null || customer.path("deleted").asBoolean(false)) {
            throw StripeApiError.resourceMissing("customer", id, "customer");
        }
    }

    private static StripeApiError missingPaymentMethod() {
        return StripeApiError.invalidRequest(
                "setup_intent_unexpected_state",
                "payment_method",
                "You cannot confirm this SetupIntent because it's missing a payment method. You can either"
                        + " update the SetupIntent with a payment method and then confirm it again, or confirm"
                        + " it again directly with a payment method.");
    }

    private static StripeApiError unexpectedState(String message, ObjectNode si) {
        return StripeApiError.invalidRequest("setup_intent_unexpected_state", null, message)
                .with("setup_intent", si.deepCopy());
    }

    private static void checkClientSecret(ObjectNode si, Params p) {
        String secret = p.string("client_secret");
        if (secret == null) {
            throw StripeApiError.missingParam("client_secret");
        }
        if (!secret.equals(Json.text(si, "client_secret"))) {
            throw StripeApiError.invalidParam(
                    "client_secret",
                    "The client_secret provided does not match the client_secret associated with the"
                            + " SetupIntent.");
        }
    }
}
