package dev.tokenbilling;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.StripeEvents;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BillingListenerTest {

    static final List<String> HEARD = new CopyOnWriteArrayList<>();
    private static BillingFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(
                BillingListenerTest.class,
                builder -> builder.stripe(
                                StripeApi.builder().secretKey("sk_test_unused").build())
                        .webhooks(WebhookVerification.builder()
                                .secret(StripeEvents.SECRET)
                                .build())
                        .listener(new BillingListener() {
                            @Override
                            public void tokensDebited(LedgerEntry entry) {
                                throw new IllegalStateException("a broken listener must not break billing");
                            }
                        })
                        .listener(new BillingListener() {
                            @Override
                            public void purchaseCompleted(Purchase purchase, LedgerEntry credit) {
                                HEARD.add("completed " + purchase.id() + " " + credit.amount());
                            }

                            @Override
                            public void tokensCredited(LedgerEntry entry) {
                                HEARD.add("credited " + entry.amount());
                            }

                            @Override
                            public void tokensDebited(LedgerEntry entry) {
                                HEARD.add("debited " + entry.amount());
                            }

                            @Override
                            public void webhookHandled(WebhookOutcome outcome, Duration elapsed) {
                                HEARD.add("webhook " + outcome.status());
                            }
                        }));
        fixture.seed();
    }

    @BeforeEach
    void forget() {
        HEARD.clear();
    }

    @Test
    void shouldHearCreditsAndDebitsAfterTheyHappenDespiteABrokenListener() {
        UserId user = UserId.of("listened");
        fixture.service.ledger().grant(Grant.of(user, 500, IdempotencyKey.of("g"), "bonus"));
        fixture.service
                .ledger()
                .debit(Debit.of(user, 200, IdempotencyKey.of("u")).withDescription(""));
        fixture.service
                .ledger()
                .debit(Debit.of(user, 200, IdempotencyKey.of("u")).withDescription(""));

        assertThat(HEARD).containsExactly("credited 500", "debited -200");
    }

    @Test
    void shouldHearCompletedPurchaseOnlyWhenItCommitted() {
        Purchase purchase = fixture.pendingPurchaseWithIntent("listened-buyer", "starter-100k");
        String wrongAmount =
                StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 1, null);
        String right = StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 500, null);

        fixture.billing.webhooks().handle(bytes(wrongAmount), sign(wrongAmount));
        fixture.billing.webhooks().handle(bytes(right), sign(right));

        assertThat(HEARD)
                .containsExactly(
                        "webhook FAILED_PERMANENT",
                        "credited 100000",
                        "completed " + purchase.id() + " 100000",
                        "webhook PROCESSED");
    }
}
