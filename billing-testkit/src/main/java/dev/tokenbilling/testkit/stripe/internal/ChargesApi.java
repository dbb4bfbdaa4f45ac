package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/charges}: the charges PaymentIntents make, to retrieve, list, search and update. Creating
 * charges directly (the legacy Charges API) is not emulated.
 */
public final class ChargesApi {
    private static final Set<String> SEARCH_FIELDS = Set.of(
            "amount",
            "created",
            "currency",
            "customer",
            "metadata",
            "payment_intent",
            "status",
            "refunded",
            "disputed");

    private final FakeStripeState state;

    /** Over this state. */
    public ChargesApi(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("GET", "/v1/charges/search", this::search);
        router.add(
                "GET",
                "/v1/charges/{id}",
                r -> Render.one(state, state.store().require("charge", r.id(), "id"), r.params()));
        router.add("GET", "/v1/charges", this::list);
        router.add("POST", "/v1/charges/{id}", this::update);
        router.add("POST", "/v1/charges", r -> {
            throw StripeApiError.invalidRequest(
                    null,
                    null,
                    "FakeStripe does not emulate creating charges directly; create and confirm a PaymentIntent.");
        });
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("created", "customer", "payment_intent", "transfer_group"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "charge",
                        c -> Lists.inRange(c, "created", p, "created")
                                && Lists.textEquals(c, "customer", p, "customer")
                                && Lists.textEquals(c, "payment_intent", p, "payment_intent"));
        return Lists.page("/v1/charges", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode search(ApiRequest req) {
        Params p = req.params().allowOnly("query", "limit", "page");
        SearchQuery query = SearchQuery.parse(p.string("query"), SEARCH_FIELDS);
        return Lists.searchPage(
                "/v1/charges/search",
                state.store().newestFirst("charge", query::matches),
                p,
                n -> Render.item(state, n, p));
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "metadata",
                        "description",
                        "receipt_email",
                        "shipping",
                        "fraud_details",
                        "transfer_group",
                        "customer");
        ObjectNode charge = state.store().require("charge", req.id(), "id");
        ObjectNode before = charge.deepCopy();
        Updates.applyMetadata(charge, p);
        Updates.text(charge, p, "description");
        Updates.text(charge, p, "receipt_email");
        ObjectNode previous = Updates.previousAttributes(before, charge);
        if (!previous.isEmpty()) {
            state.events().publish("charge.updated", charge, previous);
        }
        return Render.one(state, charge, p);
    }
}
