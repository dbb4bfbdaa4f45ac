package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/test_helpers/test_clocks}: create, retrieve, list, delete, advance. Advancing runs the
 * renewals due up to the new time for the customers on the clock before it answers, so the answer and
 * any later retrieve are {@code ready} (Stripe answers {@code advancing} and finishes later; code that
 * polls until {@code ready} works with both).
 */
public final class TestClocksApi {
    static final String OBJECT = "test_helpers.test_clock";
    private static final long DELETES_AFTER = 30L * 24 * 3600;

    private final FakeStripeState state;
    private final Renewals renewals;

    /** Over this state; advancing runs {@code renewals}. */
    public TestClocksApi(FakeStripeState state, Renewals renewals) {
        this.state = state;
        this.renewals = renewals;
    }

    /**
     * The time of a customer's objects: its test clock's {@code frozen_time}, else FakeStripe's clock.
     */
    public static long nowFor(FakeStripeState state, String customerId) {
        ObjectNode customer = state.store().find("customer", customerId);
        ObjectNode clock = customer == null ? null : state.store().find(OBJECT, Json.text(customer, "test_clock"));
        return clock == null ? state.now() : clock.get("frozen_time").asLong();
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/test_helpers/test_clocks", this::create);
        router.add(
                "GET",
                "/v1/test_helpers/test_clocks/{id}",
                r -> Render.one(state, state.store().require(OBJECT, r.id(), "id"), r.params()));
        router.add("GET", "/v1/test_helpers/test_clocks", this::list);
        router.add("DELETE", "/v1/test_helpers/test_clocks/{id}", this::delete);
        router.add("POST", "/v1/test_helpers/test_clocks/{id}/advance", this::advance);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params().allowOnly("frozen_time", "name");
        long frozen = p.requiredInteger("frozen_time");
        ObjectNode clock = Templates.blank("test_clock");
        clock.put("id", Ids.newId("clock"));
        clock.put("created", state.now());
        clock.put("deletes_after", state.now() + DELETES_AFTER);
        clock.put("frozen_time", frozen);
        Updates.text(clock, p, "name");
        state.put(clock);
        return Render.one(state, clock, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        p.allowOnly(new ArrayList<>(Lists.PAGING));
        List<ObjectNode> items = state.store().newestFirst(OBJECT, c -> true);
        return Lists.page("/v1/test_helpers/test_clocks", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode delete(ApiRequest req) {
        state.store().require(OBJECT, req.id(), "id");
        // As on Stripe, the clock's customers and their billing objects go with it (no events).
        for (ObjectNode customer :
                state.store().newestFirst("customer", c -> req.id().equals(Json.text(c, "test_clock")))) {
            String id = customer.get("id").asText();
            for (String type : new String[] {"subscription", "invoice"}) {
                state.store()
                        .newestFirst(type, o -> id.equals(Json.text(o, "customer")))
                        .forEach(o -> state.store().remove(o.get("id").asText()));
            }
            state.store().remove(id);
        }
        state.store().remove(req.id());
        ObjectNode tombstone = Json.object();
        tombstone.put("id", req.id());
        tombstone.put("object", OBJECT);
        tombstone.put("deleted", true);
        return tombstone;
    }

    private ObjectNode advance(ApiRequest req) {
        Params p = req.params().allowOnly("frozen_time");
        ObjectNode clock = state.store().require(OBJECT, req.id(), "id");
        long target = p.requiredInteger("frozen_time");
        if (target <= clock.get("frozen_time").asLong()) {
            throw StripeApiError.invalidParam(
                    "frozen_time",
                    "The test clock's frozen_time can only move forward; it is already "
                            + clock.get("frozen_time").asLong() + ".");
        }
        clock.put("status", "advancing");
        clock.set("status_details", Json.object().set("advancing", Json.object().put("target_frozen_time", target)));
        state.events().publish("test_helpers.test_clock.advancing", clock);
        renewals.runUntil(req.id(), target);
        clock.put("frozen_time", target);
        clock.put("status", "ready");
        clock.set("status_details", Json.object());
        state.events().publish("test_helpers.test_clock.ready", clock);
        return Render.one(state, clock, p);
    }
}
