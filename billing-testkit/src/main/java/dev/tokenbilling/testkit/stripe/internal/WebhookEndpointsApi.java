package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.WebhookEndpoint;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/webhook_endpoints}: register ({@code url}, {@code enabled_events}; the answer carries the
 * signing {@code secret}, as Stripe's does), retrieve, update, delete, list. Also endpoints registered
 * from code with a given secret.
 */
public final class WebhookEndpointsApi {
    private final FakeStripeState state;

    /** Over this state. */
    public WebhookEndpointsApi(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/webhook_endpoints", this::create);
        router.add(
                "GET",
                "/v1/webhook_endpoints/{id}",
                r -> Render.one(state, state.store().require("webhook_endpoint", r.id(), "id"), r.params()));
        router.add("POST", "/v1/webhook_endpoints/{id}", this::update);
        router.add("DELETE", "/v1/webhook_endpoints/{id}", this::delete);
        router.add("GET", "/v1/webhook_endpoints", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params().allowOnly("url", "enabled_events", "description", "metadata", "api_version", "connect");
        String url = url(p.requiredString("url"));
        List<String> events = enabledEvents(p);
        if (events == null) {
            throw StripeApiError.missingParam("enabled_events");
        }
        ObjectNode endpoint = register(Ids.newId("we"), url, "whsec_" + Ids.random(32), events);
        Updates.text(endpoint, p, "description");
        Updates.text(endpoint, p, "api_version");
        Updates.applyMetadata(endpoint, p);
        ObjectNode answer = Render.one(state, endpoint, p);
        answer.put("secret", secretOf(endpoint.get("id").asText()));
        return answer;
    }

    /** Stores an endpoint and starts delivering to it. */
    public ObjectNode register(String id, String url, String secret, List<String> events) {
        ObjectNode endpoint = Templates.blank("webhook_endpoint");
        endpoint.put("id", id);
        endpoint.put("created", state.now());
        ArrayNode array = Json.array();
        events.forEach(array::add);
        endpoint.set("enabled_events", array);
        endpoint.put("url", url);
        state.put(endpoint);
        state.webhooks().register(new WebhookEndpoint(id, url, secret, List.copyOf(events)));
        return endpoint;
    }

    private String secretOf(String id) {
        return state.webhooks().endpoints().stream()
                .filter(e -> e.id().equals(id))
                .map(WebhookEndpoint::secret)
                .findFirst()
                .orElseThrow();
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly("url", "enabled_events", "description", "metadata", "disabled");
        ObjectNode endpoint = state.store().require("webhook_endpoint", req.id(), "id");
        String url = p.string("url") == null ? Json.text(endpoint, "url") : url(p.string("url"));
        List<String> events = enabledEvents(p);
        Boolean disabled = p.bool("disabled");
        endpoint.put("url", url);
        if (events != null) {
            ArrayNode array = Json.array();
            events.forEach(array::add);
            endpoint.set("enabled_events", array);
        }
        if (disabled != null) {
            endpoint.put("status", disabled ? "disabled" : "enabled");
            state.webhooks().setEnabled(req.id(), !disabled);
        }
        Updates.text(endpoint, p, "description");
        Updates.applyMetadata(endpoint, p);
        List<String> current = new ArrayList<>();
        endpoint.get("enabled_events").forEach(e -> current.add(e.asText()));
        state.webhooks().register(new WebhookEndpoint(req.id(), url, secretOf(req.id()), current));
        return Render.one(state, endpoint, p);
    }

    private ObjectNode delete(ApiRequest req) {
        state.store().require("webhook_endpoint", req.id(), "id");
        state.store().remove(req.id());
        state.webhooks().unregister(req.id());
        ObjectNode deleted = Json.object();
        deleted.put("id", req.id());
        deleted.put("object", "webhook_endpoint");
        deleted.put("deleted", true);
        return deleted;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params().allowOnly(Lists.PAGING);
        return Lists.page(
                "/v1/webhook_endpoints",
                state.store().newestFirst("webhook_endpoint", e -> true),
                p,
                n -> Render.item(state, n, p));
    }

    private static String url(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException(url);
            }
            return url;
        } catch (IllegalArgumentException e) {
            throw StripeApiError.invalidRequest("url_invalid", "url", "Invalid URL: " + url);
        }
    }

    private static List<String> enabledEvents(Params p) {
        List<String> events = p.stringList("enabled_events");
        if (events == null) {
            return null;
        }
        if (events.isEmpty()) {
            throw StripeApiError.missingParam("enabled_events");
        }
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (!e.equals("*") && !e.matches("[a-z_]+(\\.[a-z_]+)*(\\.\\*)?")) {
                throw StripeApiError.invalidParam(
                        "enabled_events[" + i + "]",
                        "Invalid enabled_events[" + i + "]: " + e + " is not an event type.");
            }
        }
        return events;
    }
}
