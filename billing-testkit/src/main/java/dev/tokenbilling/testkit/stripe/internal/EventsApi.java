package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/events}: retrieve and list, with the filters {@code type} (wildcards such as {@code
 * payment_intent.*}), {@code types[]}, {@code created} and {@code delivery_success}.
 */
public final class EventsApi {
    private final FakeStripeState state;

    /** Over this state. */
    public EventsApi(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add(
                "GET",
                "/v1/events/{id}",
                r -> Render.one(state, state.store().require("event", r.id(), "id"), r.params()));
        router.add("GET", "/v1/events", this::list);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("type", "types", "created", "delivery_success"));
        p.allowOnly(allowed);
        String type = p.string("type");
        List<String> types = p.stringList("types");
        if (type != null && types != null) {
            throw StripeApiError.invalidParam("types", "You may only specify one of these parameters: type, types.");
        }
        if (types != null && types.size() > 20) {
            throw StripeApiError.invalidParam("types", "types can have up to 20 entries.");
        }
        Boolean delivered = p.bool("delivery_success");
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "event",
                        e -> (type == null || typeMatches(type, Json.text(e, "type")))
                                && (types == null || types.contains(Json.text(e, "type")))
                                && Lists.inRange(e, "created", p, "created")
                                && (delivered == null
                                        || (e.get("pending_webhooks").asInt() == 0) == delivered));
        return Lists.page("/v1/events", items, p, n -> Render.item(state, n, p));
    }

    private static boolean typeMatches(String pattern, String type) {
        if (pattern.endsWith("*")) {
            return type.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(type);
    }
}
