package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.Router.Access;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/payment_methods}: card PaymentMethods from card details (also with a publishable key, as
 * Stripe.js does) or from Stripe's test ids ({@code pm_card_visa}); retrieve, list, attach, detach; and a
 * customer's saved cards ({@code /v1/customers/{id}/payment_methods}).
 */
public final class PaymentMethodsApi {
    private final FakeStripeState state;

    /** The API over this state. */
    public PaymentMethodsApi(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/payment_methods", Access.PUBLISHABLE, this::create);
        router.add("GET", "/v1/payment_methods/{id}", this::retrieve);
        router.add("GET", "/v1/payment_methods", this::list);
        router.add("POST", "/v1/payment_methods/{id}", this::update);
        router.add("POST", "/v1/payment_methods/{id}/attach", this::attach);
        router.add("POST", "/v1/payment_methods/{id}/detach", this::detach);
        router.add("GET", "/v1/customers/{customer}/payment_methods", this::listOfCustomer);
        router.add("GET", "/v1/customers/{customer}/payment_methods/{id}", this::retrieveOfCustomer);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params();
        // Other payment method types are refused by the type check below, so no unknown-param check.
        String type = p.requiredString("type");
        if (!type.equals("card")) {
            throw StripeApiError.invalidParam(
                    "type", "FakeStripe supports PaymentMethods of type card only, not " + type + ".");
        }
        ObjectNode pm = fromCardParams(p);
        return Render.one(state, pm, p);
    }

    /**
     * Creates a card PaymentMethod from {@code card[...]} (and {@code billing_details}, {@code
     * metadata}) found in {@code p}; errors name the parameters with {@code p}'s prefix (e.g. {@code
     * payment_method_data[card][number]}).
     */
    public ObjectNode fromCardParams(Params p) {
        Params card = p.map("card");
        if (card == null) {
            throw StripeApiError.missingParam(p.name("card"));
        }
        CardProfile profile;
        String token = card.string("token");
        long expMonth;
        long expYear;
        if (token != null) {
            profile = CardCatalog.byToken(token);
            if (profile == null) {
                throw StripeApiError.resourceMissing("token", token, card.name("token"));
            }
            expMonth = 12;
            expYear = ZonedDateTime.now(ZoneOffset.UTC).getYear() + 3;
        } else {
            String number = card.string("number");
            if (number == null) {
                throw StripeApiError.missingParam(card.name("number"));
            }
            expMonth = card.requiredInteger("exp_month");
            expYear = card.requiredInteger("exp_year");
            if (expYear < 100) {
                expYear += 2000;
            }
            if (expMonth < 1 || expMonth > 12) {
                throw StripeApiError.card(
                        "invalid_expiry_month",
                        null,
                        card.name("exp_month"),
                        "Your card's expiration month is invalid.");
            }
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            if (expYear < now.getYear()
                    || (expYear == now.getYear() && expMonth < now.getMonthValue())
                    || expYear > now.getYear() + 50) {
                throw StripeApiError.card(
                        "invalid_expiry_year", null, card.name("exp_year"), "Your card's expiration year is invalid.");
            }
            String cvc = card.string("cvc");
            if (cvc != null && !cvc.matches("\\d{3,4}")) {
                throw StripeApiError.card(
                        "invalid_cvc", null, card.name("cvc"), "Your card's security code is invalid.");
            }
            profile = CardCatalog.byNumber(number, card.name("number"));
        }
        ObjectNode pm = newPaymentMethod(profile, expMonth, expYear);
        Params billing = p.map("billing_details");
        if (billing != null) {
            ObjectNode details = (ObjectNode) pm.get("billing_details");
            Params address = billing.map("address");
            if (address != null) {
                details.set("address", Updates.address(address));
            }
            for (String f : new String[] {"email", "name", "phone"}) {
                Updates.text(details, billing, f);
            }
        }
        Updates.applyMetadata(pm, p);
        return pm;
    }

    /** A stored PaymentMethod for a test card. */
    public ObjectNode newPaymentMethod(CardProfile profile, long expMonth, long expYear) {
        ObjectNode pm = Templates.blank("payment_method");
        String id = Ids.newId("pm");
        pm.put("id", id);
        pm.put("created", state.now());
        ObjectNode card = (ObjectNode) pm.get("card");
        card.put("brand", profile.brand());
        card.put("display_brand", profile.brand());
        card.put("funding", profile.funding());
        card.put("last4", profile.last4());
        card.put("exp_month", expMonth);
        card.put("exp_year", expYear);
        card.put("fingerprint", fingerprint(profile.number()));
        ((ObjectNode) card.get("networks")).set("available", Json.array().add(profile.brand()));
        state.put(pm);
        state.rememberCard(id, profile);
        return pm;
    }

    /**
     * The PaymentMethod named by {@code id}: a stored one, or a new one for a Stripe test id such as
     * {@code pm_card_visa}. 400 {@code resource_missing} naming {@code param} otherwise.
     */
    public ObjectNode resolve(String id, String param) {
        CardProfile testCard = CardCatalog.byToken(id);
        if (testCard != null) {
            return newPaymentMethod(
                    testCard, 12, ZonedDateTime.now(ZoneOffset.UTC).getYear() + 3);
        }
        return state.store().require("payment_method", id, param);
    }

    private static String fingerprint(String number) {
        return Integer.toHexString(number.hashCode()).toUpperCase() + "Fk" + number.length()
                + number.substring(number.length() - 4);
    }

    private ObjectNode retrieve(ApiRequest req) {
        return Render.one(state, state.store().require("payment_method", req.id(), "id"), req.params());
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly("metadata", "billing_details", "allow_redisplay");
        ObjectNode pm = state.store().require("payment_method", req.id(), "id");
        ObjectNode before = pm.deepCopy();
        Updates.applyMetadata(pm, p);
        Updates.text(pm, p, "allow_redisplay");
        ObjectNode previous = Updates.previousAttributes(before, pm);
        if (!previous.isEmpty()) {
            state.events().publish("payment_method.updated", pm, previous);
        }
        return Render.one(state, pm, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("customer", "type", "allow_redisplay", "customer_account"));
        p.allowOnly(allowed);
        String customer = p.string("customer");
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "payment_method",
                        pm -> (customer == null || customer.equals(Json.text(pm, "customer")))
                                && Lists.textEquals(pm, "type", p, "type"));
        return Lists.page("/v1/payment_methods", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode listOfCustomer(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("type", "allow_redisplay"));
        p.allowOnly(allowed);
        String customer = liveCustomer(req.pathVars().get("customer"), "customer")
                .get("id")
                .asText();
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "payment_method",
                        pm -> customer.equals(Json.text(pm, "customer"))
                                && Lists.textEquals(pm, "type", p, "type")
                                && Lists.textEquals(pm, "allow_redisplay", p, "allow_redisplay"));
        return Lists.page("/v1/customers/" + customer + "/payment_methods", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode retrieveOfCustomer(ApiRequest req) {
        String customer = liveCustomer(req.pathVars().get("customer"), "customer")
                .get("id")
                .asText();
        ObjectNode pm = state.store().find("payment_method", req.id());
        if (pm == null || !customer.equals(Json.text(pm, "customer"))) {
            throw StripeApiError.resourceMissing("payment_method", req.id(), "id");
        }
        return Render.one(state, pm, req.params());
    }

    private ObjectNode attach(ApiRequest req) {
        Params p = req.params().allowOnly("customer");
        String customer = p.requiredString("customer");
        liveCustomer(customer, "customer");
        // Attaching a test id (pm_card_visa) attaches a new PaymentMethod of that card, as on Stripe.
        ObjectNode pm = resolve(req.id(), "id");
        attach(pm, customer);
        return Render.one(state, pm, p);
    }

    /**
     * Saves {@code pm} to {@code customer} ({@code payment_method.attached}); nothing when it already is.
     * 400 when it is another customer's, as Stripe answers.
     */
    public void attach(ObjectNode pm, String customer) {
        String owner = Json.text(pm, "customer");
        if (customer.equals(owner)) {
            return;
        }
        if (owner != null) {
            throw StripeApiError.invalidParam(
                    null, "The payment method you provided has already been attached to a customer.");
        }
        pm.put("customer", customer);
        state.events().publish("payment_method.attached", pm);
    }

    private ObjectNode detach(ApiRequest req) {
        ObjectNode pm = state.store().require("payment_method", req.id(), "id");
        String owner = Json.text(pm, "customer");
        if (owner == null) {
            throw StripeApiError.invalidParam(
                    null, "The payment method you provided is not attached to a customer so detachment is impossible.");
        }
        pm.putNull("customer");
        state.events().publish("payment_method.detached", pm);
        clearDefault(owner, pm.get("id").asText());
        return Render.one(state, pm, req.params());
    }

    /** A detached card stops being its customer's default for invoices, as on Stripe. */
    private void clearDefault(String customerId, String paymentMethodId) {
        ObjectNode customer = state.store().find("customer", customerId);
        if (customer == null || !(customer.get("invoice_settings") instanceof ObjectNode settings)) {
            return;
        }
        if (!paymentMethodId.equals(Json.text(settings, "default_payment_method"))) {
            return;
        }
        ObjectNode before = customer.deepCopy();
        settings.putNull("default_payment_method");
        state.events().publish("customer.updated", customer, Updates.previousAttributes(before, customer));
    }

    private ObjectNode liveCustomer(String id, String param) {
        ObjectNode customer = state.store().find("customer", id);
        if (customer == null || customer.path("deleted").asBoolean(false)) {
            throw StripeApiError.resourceMissing("customer", id, param);
        }
        return customer;
    }
}
