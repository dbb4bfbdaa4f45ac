package dev.tokenbilling.testkit.stripe;

import java.time.Instant;

/**
 * One attempt to deliver an event to a webhook endpoint, as kept in {@link FakeStripe#deliveryLog()}.
 *
 * @param eventId the event's id ({@code evt_...})
 * @param eventType the event's type
 * @param endpointId the endpoint's id ({@code we_...})
 * @param url where it was sent
 * @param attempt 1 for the first attempt for this event and endpoint, then 2, 3...
 * @param statusCode the HTTP status the endpoint answered (or was simulated to answer); 0 when it could
 *     not be reached
 * @param succeeded whether it counts as delivered (a 2xx answer that was not lost)
 * @param error what went wrong, or null
 * @param at when it was sent
 * @param payload the JSON body sent
 * @param signatureHeader the {@code Stripe-Signature} header sent
 */
public record WebhookDelivery(
        String eventId,
        String eventType,
        String endpointId,
        String url,
        int attempt,
        int statusCode,
        boolean succeeded,
        String error,
        Instant at,
        String payload,
        String signatureHeader) {}
