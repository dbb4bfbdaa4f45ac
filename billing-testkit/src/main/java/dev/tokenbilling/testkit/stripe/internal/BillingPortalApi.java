package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/billing_portal/sessions}: a {@code billing_portal.session} whose {@code url} is
 * FakeStripe's own portal page ({@link HostedPages}): the customer's subscriptions, each with a
 * cancel-at-period-end button, and a link back to {@code return_url}.
 */
public final class BillingPortalApi {
    /** The one portal configuration FakeStripe has (Stripe's default configuration of an account). */
    static final String CONFIGURATION = "bpc_FakeStripeDefaultPortal";

    private final FakeStripeState state;

    /** Over this state. */
    public BillingPortalApi(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the route. */
    public void register(Router router) {
        router.add("POST", "/v1/billing_portal/sessions", this::create);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params().allowOnly("customer", "return_url", "configuration", "locale", "on_behalf_of");
        String customer = p.requiredString("customer");
        if (state.store()
                .require("customer", customer, "customer")
                .path("deleted")
                .asBoolean(false)) {
            throw StripeApiError.resourceMissing("customer", customer, "customer");
        }
        String configuration = p.string("configuration");
        if (configuration != null && !configuration.equals(CONFIGURATION)) {
            throw StripeApiError.resourceMissing("billing_portal.configuration", configuration, "configuration");
        }
        ObjectNode session = Templates.blank("billing_portal_session");
        String id = Ids.newId("bps");
        session.put("id", id);
        session.put("configuration", CONFIGURATION);
        session.put("created", state.now());
        session.put("customer", customer);
        Updates.text(session, p, "return_url");
        Updates.text(session, p, "locale");
        session.put("url", state.apiBase() + "/billing_portal/session/" + id);
        state.put(session);
        return Render.one(state, session, p);
    }
}
