package dev.tokenbilling.webhook;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.Outcomes;
import dev.tokenbilling.support.StripeEvents;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookReplayTest {

    @Test
    void shouldReplayProcessedEventWithoutCreditingTwice() {
        BillingFixture fixture = BillingFixture.create(
                WebhookReplayTest.class,
                builder -> builder.stripe(StripeApi.fromEnvironment(Map.of("STRIPE_SECRET_KEY", "sk_test_x"))
                                .build())
                        .webhooks(WebhookVerification.fromEnvironment(Map.of(
                                        "STRIPE_WEBHOOK_SECRET", "whsec_old_one_000000000, " + StripeEvents.SECRET))
                                .build()));
        fixture.seed();
        Purchase purchase = fixture.pendingPurchaseWithIntent("replayed", "starter-100k");
        String payload = StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 500, null);
        String eventId = fixture.billing
                .webhooks()
                .handle(bytes(payload), sign(payload))
                .eventId()
                .orElseThrow();

        WebhookOutcome replayed = fixture.billing.webhooks().replay(eventId);

        assertThat(replayed.status()).isEqualTo(WebhookOutcome.Status.PROCESSED);
        assertThat(Outcomes.transitionOf(replayed)).isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(fixture.billing.webhooks().retry(eventId).status()).isEqualTo(WebhookOutcome.Status.DUPLICATE);
        assertThat(fixture.service.ledger().balance(purchase.userId()).balance())
                .isEqualTo(100_000);
        assertThat(fixture.service.operations().findWebhookEvent(eventId)).isPresent();
        fixture.assertLedgerInvariants();
    }
}
