package dev.tokenbilling.internal.observe;

import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.util.Locale;
import java.util.function.Supplier;

/** Webhook deliveries, retries and replays observed, tagged with their outcome. */
public final class ObservedWebhookProcessor implements WebhookProcessor {

    private final WebhookProcessor delegate;
    private final Observe observe;

    public ObservedWebhookProcessor(WebhookProcessor delegate, BillingObserver observer) {
        this.delegate = delegate;
        this.observe = new Observe(observer);
    }

    @Override
    public WebhookOutcome handle(byte[] rawBody, String signatureHeader) {
        return observed("billing.webhook.handle", () -> delegate.handle(rawBody, signatureHeader));
    }

    @Override
    public WebhookOutcome ingestUnsigned(String eventJson) {
        return observed("billing.webhook.ingest", () -> delegate.ingestUnsigned(eventJson));
    }

    @Override
    public WebhookOutcome retry(String eventId) {
        return observed("billing.webhook.retry", () -> delegate.retry(eventId));
    }

    @Override
    public WebhookOutcome replay(String eventId) {
        return observed("billing.webhook.replay", () -> delegate.replay(eventId));
    }

    private WebhookOutcome observed(String name, Supplier<WebhookOutcome> work) {
        return observe.run(name, work, outcome -> outcome.status().name().toLowerCase(Locale.ROOT));
    }
}
