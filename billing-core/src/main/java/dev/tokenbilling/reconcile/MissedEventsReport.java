package dev.tokenbilling.reconcile;

import dev.tokenbilling.webhook.WebhookOutcome;
import java.util.List;

/** Events fetched from Stripe's API: how many Stripe listed, and what processing the new ones did. */
public record MissedEventsReport(int listed, int alreadyStored, List<WebhookOutcome> processed) {

    public MissedEventsReport {
        processed = List.copyOf(processed);
    }
}
