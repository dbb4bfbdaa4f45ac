package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.testkit.stripe.DeliveryFailure;
import dev.tokenbilling.testkit.stripe.FaultKind;
import dev.tokenbilling.testkit.stripe.WebhookMode;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
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

/** "Tokens not added after payment": the reconciler repairs what webhooks missed. */
class ReconcilerTest {

    private static Shop shop;
    private static Reconciler reconciler;
    private static int users;

    @BeforeAll
    static void open() {
        shop = Shop.open(ReconcilerTest.class);
        reconciler = shop.billing.reconciler();
    }

    @AfterAll
    static void close() {
        shop.close();
    }

    @BeforeEach
    void deliverRightAway() {
        shop.stripe.setWebhookMode(WebhookMode.ASYNC);
    }

    @AfterEach
    void ledgerStaysSound() {
        shop.settle();
        shop.fixture.assertLedgerInvariants();
    }

    private static String newUser() {
        return "rec-" + (++users);
    }

    private static PurchaseStatus status(PurchaseIntent intent) {
        return shop.purchase(intent).status();
    }

    @Test
    void shouldCompletePurchaseWhoseWebhookNeverArrived() {
        String user = newUser();
        shop.stripe.holdWebhooks();
        PurchaseIntent intent = shop.buy(user, "booster-500k");
        shop.pay(intent, "pm_card_visa");
        shop.stripe.discardHeld();
        assertThat(status(intent)).isEqualTo(PurchaseStatus.PENDING);

        List<PurchaseCheck> checks = reconciler.reconcilePurchases(Duration.ZERO, 100);

        assertThat(checks)
                .filteredOn(check -> check.purchaseId() == intent.purchaseId())
                .singleElement()
                .satisfies(check -> {
                    assertThat(check.before()).isEqualTo(PurchaseStatus.PENDING);
                    assertThat(check.after()).isEqualTo(PurchaseStatus.COMPLETED);
                    assertThat(check.result()).isInstanceOfSatisfying(PurchaseCheck.Applied.class, applied -> {
                        assertThat(applied.paymentIntentStatus()).isEqualTo("succeeded");
                        assertThat(applied.transition())
                                .isEqualTo(new PurchaseTransition.Completed(intent.purchaseId(), 500_000));
                    });
                });
        assertThat(shop.balance(user).balance()).isEqualTo(500_000);
        // A second run right away skips it: it is no longer open.
        assertThat(reconciler.reconcilePurchases(Duration.ZERO, 100))
                .noneMatch(check -> check.purchaseId() == intent.purchaseId());
    }

    @Test
    void shouldCreditOnceWhenWebhookAndReconcilerRace() throws Exception {
        for (int round = 0; round < 5; round++) {
            String user = newUser();
            shop.stripe.holdWebhooks();
            PurchaseIntent intent = shop.buy(user, "starter-100k");
            shop.pay(intent, "pm_card_visa");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Object>> racers = new ArrayList<>();
                racers.add(() -> shop.stripe.deliverHeld());
                racers.add(() -> reconciler.reconcilePurchases(Duration.ZERO, 100));
                racers.add(() -> shop.billing.reconciler().reconcilePurchases(Duration.ZERO, 100));
                for (Future<Object> result : pool.invokeAll(racers)) {
                    result.get();
                }
            } finally {
                pool.shutdownNow();
            }
            shop.settle();
            assertThat(shop.balance(user).balance()).isEqualTo(100_000);
            assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
        }
    }

    @Test
    void shouldBackOffBetweenChecksOfTheSamePurchase() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");

        assertThat(reconciler.reconcilePurchases(Duration.ZERO, 100))
                .anyMatch(check -> check.purchaseId() == intent.purchaseId()
                        && check.result() instanceof PurchaseCheck.Applied applied
                        && applied.paymentIntentStatus().equals("requires_payment_method"));
        assertThat(reconciler.reconcilePurchases(Duration.ZERO, 100))
                .noneMatch(check -> check.purchaseId() == intent.purchaseId());
        assertThat(reconciler.stuckPurchases(Duration.ZERO, 1000))
                .extracting(Purchase::id)
                .contains(intent.purchaseId());
    }

    @Test
    void shouldCancelAbandonedPurchases() {
        // The shortest time the builder accepts (zero is refused): every purchase already counts as abandoned.
        try (Shop impatient =
                Shop.open(ReconcilerTest.class, builder -> builder.abandonPurchasesAfter(Duration.ofNanos(1)))) {
            PurchaseIntent intent = impatient.buy("abandoner", "starter-100k");

            List<PurchaseCheck> checks = impatient.billing.reconciler().reconcilePurchases(Duration.ZERO, 10);

            assertThat(checks).singleElement().satisfies(check -> {
                assertThat(check.after()).isEqualTo(PurchaseStatus.CANCELED);
                assertThat(check.result())
                        .isInstanceOfSatisfying(
                                PurchaseCheck.Applied.class,
                                applied -> assertThat(applied.abandoned()).isTrue());
            });
            assertThat(impatient
                            .stripe
                            .paymentIntent(intent.paymentIntentId())
                            .path("status")
                            .asText())
                    .isEqualTo("canceled");
            impatient.fixture.assertLedgerInvariants();
        }
    }

    @Test
    void shouldReportStripeOutageWithoutChangingThePurchase() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");
        shop.stripe.failNext("/v1/payment_intents/" + intent.paymentIntentId(), 1, FaultKind.SERVER_ERROR);

        List<PurchaseCheck> checks = reconciler.reconcilePurchases(Duration.ZERO, 1000);

        assertThat(checks)
                .filteredOn(check -> check.purchaseId() == intent.purchaseId())
                .singleElement()
                .satisfies(check -> {
                    assertThat(check.error()).isTrue();
                    assertThat(check.result()).isInstanceOfSatisfying(PurchaseCheck.Failed.class, failed -> {
                        assertThat(failed.code()).isEqualTo(BillingError.PAYMENT_PROVIDER);
                        assertThat(failed.providerReason()).contains(PaymentProviderException.Reason.PROVIDER_ERROR);
                    });
                    assertThat(check.after()).isEqualTo(PurchaseStatus.PENDING);
                });
    }

    @Test
    void shouldFetchAndProcessEventsStripeCouldNotDeliver() {
        String user = newUser();
        shop.stripe.failNextDeliveries(50, DeliveryFailure.UNREACHABLE);
        PurchaseIntent intent = shop.buy(user, "power-1m");
        shop.pay(intent, "pm_card_visa");
        shop.settle();
        assertThat(shop.balance(user).balance()).isZero();
        shop.stripe.failNextDeliveries(0, DeliveryFailure.UNREACHABLE);

        MissedEventsReport report = reconciler.fetchMissedEvents(Duration.ofDays(3));

        assertThat(report.processed()).extracting(WebhookOutcome::status).contains(WebhookOutcome.Status.PROCESSED);
        assertThat(shop.balance(user).balance()).isEqualTo(1_000_000);
        MissedEventsReport again = reconciler.fetchMissedEvents(Duration.ofDays(3));
        assertThat(again.processed()).isEmpty();
    }

    @Test
    void shouldRetryFailedEventOnceItCanApply() throws Exception {
        dev.tokenbilling.support.MutableClock clock =
                new dev.tokenbilling.support.MutableClock(java.time.Instant.now());
        try (Shop timed = Shop.open(ReconcilerTest.class, builder -> builder.clock(clock))) {
            timed.stripe.holdWebhooks();
            PurchaseIntent intent = timed.buy("retry-user", "starter-100k");
            timed.pay(intent, "pm_card_visa");
            timed.stripeClient()
                    .v1()
                    .refunds()
                    .create(com.stripe.param.RefundCreateParams.builder()
                            .setPaymentIntent(intent.paymentIntentId())
                            .build());

            // The refund's events arrive before the payment's: they cannot apply yet and are kept for a retry.
            timed.stripe.deliverHeld(dev.tokenbilling.testkit.stripe.DeliveryOrder.REVERSED);
            timed.settle();
            assertThat(timed.outcomes)
                    .extracting(WebhookOutcome::status)
                    .contains(WebhookOutcome.Status.FAILED_RETRYABLE);
            var failed = timed.billing
                    .service()
                    .operations()
                    .webhookEvents(WebhookEventQuery.all(10).withStatus(WebhookEventStatus.FAILED));
            assertThat(failed)
                    .extracting(WebhookEventRecord::type)
                    .containsExactlyInAnyOrder("charge.refunded", "refund.created");
            assertThat(failed)
                    .allSatisfy(event -> assertThat(event.nextAttemptAt()).isPresent());
            assertThat(timed.billing.reconciler().retryFailedEvents(100)).isEmpty();

            clock.advance(Duration.ofMinutes(1));
            List<WebhookOutcome> retried = timed.billing.reconciler().retryFailedEvents(100);

            // Both apply; the one processed second finds the refund applied already.
            assertThat(retried)
                    .extracting(WebhookOutcome::status)
                    .containsExactly(WebhookOutcome.Status.PROCESSED, WebhookOutcome.Status.PROCESSED);
            assertThat(timed.balance("retry-user").balance()).isZero();
            assertThat(timed.purchase(intent).status()).isEqualTo(PurchaseStatus.REFUNDED);
            timed.fixture.assertLedgerInvariants();
        }
    }

    @Test
    void shouldProcessAnEventStoredByAProcessThatCrashedBeforeProcessingIt() throws Exception {
        dev.tokenbilling.support.MutableClock clock =
                new dev.tokenbilling.support.MutableClock(java.time.Instant.now());
        try (Shop timed = Shop.open(ReconcilerTest.class, builder -> builder.clock(clock))) {
            timed.stripe.holdWebhooks();
            PurchaseIntent intent = timed.buy("crash-user", "starter-100k");
            timed.pay(intent, "pm_card_visa");
            // The event was stored, then the process died: nothing processed it.
            var event = timed.stripe.events("payment_intent.succeeded").get(0);
            timed.billing
                    .store()
                    .webhookEvents()
                    .insertIfAbsent(new dev.tokenbilling.store.WebhookEventRepository.NewWebhookEvent(
                            event.path("id").asText(),
                            "payment_intent.succeeded",
                            java.util.Optional.empty(),
                            false,
                            java.util.Optional.of(intent.paymentIntentId()),
                            event.toString(),
                            clock.instant()));
            assertThat(timed.billing.service().operations().countWebhookEvents(WebhookEventStatus.RECEIVED))
                    .isEqualTo(1);
            assertThat(timed.billing.reconciler().retryFailedEvents(100)).isEmpty();

            clock.advance(Duration.ofMinutes(2));
            List<WebhookOutcome> retried = timed.billing.reconciler().retryFailedEvents(100);

            assertThat(retried).extracting(WebhookOutcome::status).containsExactly(WebhookOutcome.Status.PROCESSED);
            assertThat(timed.balance("crash-user").balance()).isEqualTo(100_000);
            assertThat(timed.billing.service().operations().countWebhookEvents(WebhookEventStatus.RECEIVED))
                    .isZero();
            timed.fixture.assertLedgerInvariants();
        }
    }
}
