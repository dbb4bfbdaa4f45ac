package dev.tokenbilling.testkit.stripe;

/** When FakeStripe sends webhooks for new events. */
public enum WebhookMode {
    /**
     * In the background, right away, one at a time in the order of the events (as Stripe does, the API
     * call may return before the webhook arrives; {@link FakeStripe#awaitWebhooks()} waits for them).
     */
    ASYNC,
    /** Before the API call that caused the event returns (deterministic tests). */
    SYNC,
    /** Not at all until {@link FakeStripe#deliverHeld()} or a variant sends them. */
    HOLD
}
