package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;

/**
 * One delivery through the library, exactly as a host's webhook endpoint makes it:
 * {@link WebhookProcessor#handle(byte[], String)} with the raw body and the signature header
 * (signature check, storing the event, processing it). An outcome other than the expected one
 * ({@code PROCESSED} for first deliveries, {@code DUPLICATE} for redeliveries) is a failed call.
 */
final class HandleDelivery implements Operation {

    private final WebhookProcessor webhooks;
    private final EventPool pool;
    private final WebhookOutcome.Status expected;

    private HandleDelivery(WebhookProcessor webhooks, EventPool pool, WebhookOutcome.Status expected) {
        this.webhooks = webhooks;
        this.pool = pool;
        this.expected = expected;
    }

    static Operation.Factory factory(WebhookProcessor webhooks, EventPool pool, WebhookOutcome.Status expected) {
        return threadIndex -> new HandleDelivery(webhooks, pool, expected);
    }

    @Override
    public int runOnce() throws Exhausted {
        SignedEvent event = pool.take();
        WebhookOutcome outcome = webhooks.handle(event.body(), event.signature());
        if (outcome.status() != expected) {
            throw new IllegalStateException(
                    event.eventId() + ": " + outcome.status() + " (" + outcome.describe() + "), expected " + expected);
        }
        return 1;
    }
}
