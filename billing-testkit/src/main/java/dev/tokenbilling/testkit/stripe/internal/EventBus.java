package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns state changes into Stripe Event objects ({@code evt_...}, with Stripe's envelope), keeps them
 * for {@code GET /v1/events}, and hands them to the webhook dispatcher. Called under the state lock.
 */
public final class EventBus {
    private final FakeStripeState state;

    EventBus(FakeStripeState state) {
        this.state = state;
    }

    /** Publishes an event whose {@code data.object} is a snapshot of {@code object}. */
    public ObjectNode publish(String type, ObjectNode object) {
        return publish(type, object, null);
    }

    /** Publishes an event with {@code data.previous_attributes} (for {@code *.updated}). */
    public ObjectNode publish(String type, ObjectNode object, ObjectNode previousAttributes) {
        ObjectNode event = Templates.blank("event");
        event.put("id", Ids.newId("evt"));
        event.put("api_version", state.apiVersion());
        event.put("created", state.now());
        ObjectNode data = Json.object();
        data.set("object", ApiShapes.forVersion(object.deepCopy(), state.apiVersion(), state.store()));
        if (previousAttributes != null && !previousAttributes.isEmpty()) {
            data.set("previous_attributes", previousAttributes);
        }
        event.set("data", data);
        event.put("pending_webhooks", state.webhooks().targetsFor(type));
        ObjectNode request = Json.object();
        if (RequestScope.requestId() != null) {
            request.put("id", RequestScope.requestId());
        } else {
            request.putNull("id");
        }
        if (RequestScope.idempotencyKey() != null) {
            request.put("idempotency_key", RequestScope.idempotencyKey());
        } else {
            request.putNull("idempotency_key");
        }
        event.set("request", request);
        event.put("type", type);
        state.put(event);
        state.webhooks().dispatch(event.get("id").asText(), type, Json.pretty(event));
        return event;
    }
}
