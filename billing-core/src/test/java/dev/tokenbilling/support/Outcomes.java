package dev.tokenbilling.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.webhook.WebhookOutcome;

/** Reads typed results out of webhook outcomes, so tests assert on data, never on message text. */
public final class Outcomes {

    private Outcomes() {}

    /** The purchase transition a processed event made; fails the test when the event was not processed or touched no purchase. */
    public static PurchaseTransition transitionOf(WebhookOutcome outcome) {
        assertThat(outcome).isInstanceOf(WebhookOutcome.Processed.class);
        return ((WebhookOutcome.Processed) outcome)
                .transition()
                .orElseThrow(() -> new AssertionError("no purchase transition in " + outcome));
    }
}
