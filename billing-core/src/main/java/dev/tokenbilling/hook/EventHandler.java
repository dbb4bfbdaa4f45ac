package dev.tokenbilling.hook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A host's handler for Stripe event types the library does not process itself (for example
 * {@code checkout.session.completed}, {@code customer.subscription.*}, {@code invoice.*}).
 * Called once per stored event; an exception marks the event failed and it is retried later, so
 * handlers must be idempotent on {@code eventId}.
 */
public interface EventHandler {

    /** Event types handled, exact ({@code invoice.paid}) or with a trailing wildcard ({@code customer.subscription.*}). */
    Set<String> eventTypes();

    void handle(String eventId, String eventType, JsonNode dataObject);
}
