package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.exception.StripeException;
import com.stripe.param.RefundCreateParams;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.testkit.stripe.DeliveryOrder;
import dev.tokenbilling.testkit.stripe.WebhookDelivery;
import dev.tokenbilling.testkit.stripe.WebhookMode;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stripe's real delivery behaviour (repeats, races, reordering, other API versions) against the processor. */
class WebhookDeliveryTest {

    private static Shop shop;
    private static int users;

    @BeforeAll
    static void open() {
        shop = Shop.open(WebhookDeliveryTest.class);
    }

    @AfterAll
    static void close() {
        shop.close();
    }

    @BeforeEach
    void deliverRightAway() {
        shop.stripe.setWebhookMode(WebhookMode.ASYNC);
        shop.stripe.setApiVersion(com.stripe.Stripe.API_VERSION);
    }

    @AfterEach
    void ledgerStaysSound() {
        shop.settle();
        shop.fixture.assertLedgerInvariants();
    }

    private static String newUser() {
        return "hook-" + (++users);
    }

    private static PurchaseStatus status(PurchaseIntent intent) {
        return shop.purchase(intent).status();
    }

    private static String succeededEventOf(PurchaseIntent intent) {
        return shop.stripe.events("payment_intent.succeeded").stream()
                .filter(event ->
                        event.path("data").path("object").path("id").asText().equals(intent.paymentIntentId()))
                .findFirst()
                .orElseThrow()
                .path("id")
                .asText();
    }

    @Test
    void shouldCreditOnceWhenStripeDeliversTheSameEventTenTimes() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "booster-500k");
        shop.pay(intent, "pm_card_visa");
        shop.settle();
        String eventId = succeededEventOf(intent);

        for (int i = 0; i < 9; i++) {
            shop.stripe.redeliver(eventId);
        }
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(500_000);
        List<WebhookDelivery> deliveries = shop.stripe.deliveryLog().stream()
                .filter(d -> d.eventId().equals(eventId))
                .toList();
        assertThat(deliveries)
                .hasSize(10)
                .allSatisfy(delivery -> assertThat(delivery.statusCode()).isEqualTo(200));
    }

    @Test
    void shouldCreditOnceWhenDeliveriesRaceFromEightThreads() throws Exception {
        String user = newUser();
        shop.stripe.holdWebhooks();
        PurchaseIntent intent = shop.buy(user, "power-1m");
        shop.pay(intent, "pm_card_visa");
        String eventId = succeededEventOf(intent);
        shop.stripe.discardHeld();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<WebhookDelivery>>> racers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                racers.add(() -> shop.stripe.redeliver(eventId));
            }
            for (Future<List<WebhookDelivery>> result : pool.invokeAll(racers)) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(1_000_000);
        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldEndInTheRightStateWhenEventsArriveReversed() {
        String user = newUser();
        shop.stripe.holdWebhooks();
        PurchaseIntent intent = shop.buy(user, "starter-100k");
        shop.payWithCard(intent, "4000000000009995");
        shop.pay(intent, "pm_card_visa");

        shop.stripe.deliverHeld(DeliveryOrder.REVERSED, 2);
        shop.settle();

        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(shop.balance(user).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldProcessEventsOfAnotherApiVersion() {
        shop.stripe.setApiVersion("2020-08-27");
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");

        shop.pay(intent, "pm_card_visa");
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(100_000);
        assertThat(shop.billing
                        .service()
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(1).ofType("payment_intent.succeeded"))
                        .get(0)
                        .apiVersion())
                .contains("2020-08-27");
    }

    @Test
    void shouldReverseFullAndPartialRefundsMadeOnStripe() throws StripeException {
        String full = newUser();
        PurchaseIntent fullIntent = shop.buy(full, "starter-100k");
        shop.pay(fullIntent, "pm_card_visa");
        String partial = newUser();
        PurchaseIntent partialIntent = shop.buy(partial, "booster-500k");
        shop.pay(partialIntent, "pm_card_visa");
        shop.settle();

        refund(fullIntent, null);
        refund(partialIntent, 500L);
        refund(partialIntent, 700L);
        shop.settle();

        assertThat(shop.balance(full).balance()).isZero();
        assertThat(status(fullIntent)).isEqualTo(PurchaseStatus.REFUNDED);
        assertThat(shop.balance(partial).balance()).isEqualTo(500_000 - 125_000 - 175_000);
        assertThat(status(partialIntent)).isEqualTo(PurchaseStatus.PARTIALLY_REFUNDED);
    }

    @Test
    void shouldGiveTokensBackWhenARefundFailsOnStripe() throws StripeException {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "booster-500k");
        shop.pay(intent, "pm_card_refundFail");
        shop.settle();

        refund(intent, 1000L);
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(500_000);
        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(shop.purchase(intent).amountRefundedMinor()).isZero();
    }

    @Test
    void shouldGiveTokensBackOnceWhateverTheOrderAndVersionOfTheRefundsEvents() throws StripeException {
        for (String apiVersion : List.of(com.stripe.Stripe.API_VERSION, "2020-08-27")) {
            shop.stripe.setApiVersion(apiVersion);
            String user = newUser();
            PurchaseIntent intent = shop.buy(user, "booster-500k");
            shop.pay(intent, "pm_card_visa");
            shop.settle();
            shop.stripe.holdWebhooks();
            String failing = shop.stripeClient()
                    .v1()
                    .refunds()
                    .create(RefundCreateParams.builder()
                            .setPaymentIntent(intent.paymentIntentId())
                            .setAmount(1000L)
                            .build())
                    .getId();
            shop.stripe.failRefund(failing);
            refund(intent, 500L);

            // charge.refunded and refund.created twice, then the failure's three events: newest first.
            shop.stripe.deliverHeld(DeliveryOrder.REVERSED, 2);
            shop.settle();

            assertThat(shop.balance(user).balance()).as(apiVersion).isEqualTo(375_000);
            assertThat(status(intent)).as(apiVersion).isEqualTo(PurchaseStatus.PARTIALLY_REFUNDED);
            shop.stripe.setWebhookMode(WebhookMode.ASYNC);
        }
    }

    private static void refund(PurchaseIntent intent, Long amount) throws StripeException {
        RefundCreateParams.Builder params = RefundCreateParams.builder().setPaymentIntent(intent.paymentIntentId());
        if (amount != null) {
            params.setAmount(amount);
        }
        shop.stripeClient().v1().refunds().create(params.build());
    }

    @Test
    void shouldReverseOnLostDisputeAndReinstateOnWonOne() {
        String loser = newUser();
        PurchaseIntent lost = shop.buy(loser, "starter-100k");
        shop.pay(lost, "pm_card_visa");
        String winner = newUser();
        PurchaseIntent won = shop.buy(winner, "starter-100k");
        shop.pay(won, "pm_card_visa");
        shop.settle();

        String lostDispute =
                shop.stripe.openDispute(lost.paymentIntentId()).path("id").asText();
        String wonDispute =
                shop.stripe.openDispute(won.paymentIntentId()).path("id").asText();
        shop.settle();
        assertThat(shop.balance(loser).balance()).isZero();
        assertThat(status(won)).isEqualTo(PurchaseStatus.DISPUTED);

        shop.stripe.loseDispute(lostDispute);
        shop.stripe.winDispute(wonDispute);
        shop.settle();

        assertThat(status(lost)).isEqualTo(PurchaseStatus.DISPUTED);
        assertThat(shop.balance(loser).balance()).isZero();
        assertThat(status(won)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(shop.balance(winner).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldAnswerStripeWithRetryableStatusUntilTheEventCanApply() {
        assertThat(shop.outcomes).extracting(WebhookOutcome::status).doesNotContain(WebhookOutcome.Status.REJECTED);
        assertThat(shop.billing
                        .service()
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(1000).withStatus(WebhookEventStatus.FAILED)))
                .isEmpty();
    }
}
