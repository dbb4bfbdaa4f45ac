package dev.tokenbilling.webhook;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.internal.webhook.StripeWebhookProcessor;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.Outcomes;
import dev.tokenbilling.support.StripeEvents;
import dev.tokenbilling.webhook.WebhookOutcome.Status;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookProcessorTest {

    static final List<String> HANDLED = Collections.synchronizedList(new ArrayList<>());
    private static BillingFixture fixture;
    private static WebhookProcessor webhooks;
    private static int users;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(
                WebhookProcessorTest.class,
                builder -> builder.stripe(StripeApi.builder()
                                .secretKey("sk_test_unused")
                                .apiBase(URI.create("http://127.0.0.1:9"))
                                .build())
                        .webhooks(WebhookVerification.builder()
                                .secrets(List.of("whsec_old_rotated_out_secret_000", StripeEvents.SECRET))
                                .build())
                        .eventHandler(new EventHandler() {
                            @Override
                            public Set<String> eventTypes() {
                                return Set.of("customer.subscription.*");
                            }

                            @Override
                            public void handle(
                                    String eventId,
                                    String eventType,
                                    com.fasterxml.jackson.databind.JsonNode dataObject) {
                                HANDLED.add(
                                        eventType + ":" + dataObject.path("id").asText());
                            }
                        }));
        fixture.seed();
        webhooks = fixture.billing.webhooks();
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    private static String newUser() {
        return "wh-user-" + (++users);
    }

    private static WebhookOutcome deliver(String payload) {
        return webhooks.handle(bytes(payload), sign(payload));
    }

    private static String succeeded(Purchase purchase) {
        return StripeEvents.paymentIntentEvent(
                "payment_intent.succeeded",
                purchase,
                "succeeded",
                purchase.amount().minorUnits(),
                null);
    }

    private static TokenBalance balance(Purchase purchase) {
        return fixture.service.ledger().balance(purchase.userId());
    }

    private static PurchaseStatus status(Purchase purchase) {
        return fixture.service
                .purchases()
                .find(purchase.userId(), purchase.id())
                .orElseThrow()
                .status();
    }

    @Test
    void shouldCreditPurchaseOnSucceededEvent() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");

        WebhookOutcome outcome = deliver(succeeded(purchase));

        assertThat(outcome.status()).isEqualTo(Status.PROCESSED);
        assertThat(outcome.httpStatus()).isEqualTo(200);
        assertThat(Outcomes.transitionOf(outcome)).isEqualTo(new PurchaseTransition.Completed(purchase.id(), 500_000));
        assertThat(balance(purchase).balance()).isEqualTo(500_000);
        assertThat(balance(purchase).totalPurchased()).isEqualTo(500_000);
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(fixture.service
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(1))
                        .get(0)
                        .status())
                .isEqualTo(WebhookEventStatus.PROCESSED);
    }

    @Test
    void shouldCreditOnceWhenSameEventArrivesTenTimes() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload = succeeded(purchase);

        List<Status> outcomes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            outcomes.add(deliver(payload).status());
        }

        assertThat(outcomes.get(0)).isEqualTo(Status.PROCESSED);
        assertThat(outcomes.subList(1, 10)).containsOnly(Status.DUPLICATE);
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldCreditOnceUnderConcurrentDuplicatesAndDistinctEventsForOnePurchase() throws Exception {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "power-1m");
        String payload = succeeded(purchase);
        // A second, distinct event for the same success (Stripe may resend under a new id after a replay).
        String other = succeeded(purchase);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Status> outcomes = new ArrayList<>();
        try {
            List<Callable<WebhookOutcome>> deliveries = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String body = i % 4 == 3 ? other : payload;
                deliveries.add(() -> deliver(body));
            }
            for (Future<WebhookOutcome> outcome : pool.invokeAll(deliveries)) {
                outcomes.add(outcome.get().status());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(outcomes).doesNotContain(Status.FAILED_PERMANENT, Status.FAILED_RETRYABLE, Status.REJECTED);
        assertThat(balance(purchase).balance()).isEqualTo(1_000_000);
        assertThat(fixture.service
                        .ledger()
                        .history(purchase.userId(), PageRequest.first(10))
                        .items())
                .hasSize(1);
    }

    @Test
    void shouldIgnoreLateFailureAndProcessingAfterSuccess() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");
        String processing =
                StripeEvents.paymentIntentEvent("payment_intent.processing", purchase, "processing", 2000, null);
        String failed = StripeEvents.paymentIntentEvent(
                "payment_intent.payment_failed", purchase, "requires_payment_method", 2000, null);

        // Out of order: success first, then the older processing and failure events.
        assertThat(deliver(succeeded(purchase)).status()).isEqualTo(Status.PROCESSED);
        assertThat(Outcomes.transitionOf(deliver(processing))).isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(Outcomes.transitionOf(deliver(failed))).isInstanceOf(PurchaseTransition.Unchanged.class);

        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(balance(purchase).balance()).isEqualTo(500_000);
    }

    @Test
    void shouldRecordFailureAndStillCompleteWithAnotherCard() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");

        WebhookOutcome failed = deliver(StripeEvents.paymentIntentEvent(
                "payment_intent.payment_failed", purchase, "requires_payment_method", 500, null));

        assertThat(failed.status()).isEqualTo(Status.PROCESSED);
        Purchase afterFailure = fixture.service
                .purchases()
                .find(purchase.userId(), purchase.id())
                .orElseThrow();
        assertThat(afterFailure.status()).isEqualTo(PurchaseStatus.FAILED);
        assertThat(afterFailure.failureCode()).contains("insufficient_funds");
        assertThat(afterFailure.failureMessage()).contains("Your card has insufficient funds.");
        assertThat(balance(purchase).balance()).isZero();

        deliver(succeeded(purchase));
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldFindPurchaseByMetadataWhenEventBeatsThePaymentIntentId() {
        Purchase purchase = fixture.pendingPurchase(newUser(), "starter-100k");
        assertThat(purchase.paymentIntentId()).isEmpty();

        assertThat(deliver(succeeded(purchase)).status()).isEqualTo(Status.PROCESSED);

        assertThat(fixture.service
                        .purchases()
                        .find(purchase.userId(), purchase.id())
                        .orElseThrow()
                        .paymentIntentId())
                .contains("pi_" + purchase.id());
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldProcessEventOfAnotherApiVersion() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload =
                StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 500, "2019-02-19");

        assertThat(deliver(payload).status()).isEqualTo(Status.PROCESSED);
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
        assertThat(fixture.service
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(1))
                        .get(0)
                        .apiVersion())
                .contains("2019-02-19");
    }

    @Test
    void shouldRefuseToCreditOnAmountMismatchAndRecordIt() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");
        String payload = StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 1, null);

        WebhookOutcome outcome = deliver(payload);

        assertThat(outcome.status()).isEqualTo(Status.FAILED_PERMANENT);
        assertThat(outcome.httpStatus()).isEqualTo(200);
        assertThat(outcome).isInstanceOf(WebhookOutcome.FailedPermanent.class);
        assertThat(outcome.describe()).contains("amount mismatch");
        assertThat(balance(purchase).balance()).isZero();
        var stored = fixture.billing
                .store()
                .webhookEvents()
                .findById(outcome.eventId().orElseThrow())
                .orElseThrow();
        assertThat(stored.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(stored.processingError())
                .hasValueSatisfying(error -> assertThat(error).contains("amount mismatch"));
        assertThat(stored.nextAttemptAt()).isEmpty();
    }

    @Test
    void shouldReverseRefundsProportionallyAndCumulatively() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");
        deliver(succeeded(purchase));
        String firstPartial = StripeEvents.chargeRefunded(purchase, 500);
        String secondPartial = StripeEvents.chargeRefunded(purchase, 1500);

        // The second refund's event arrives first, then the first one, then the first one again.
        assertThat(Outcomes.transitionOf(deliver(secondPartial)))
                .isEqualTo(
                        new PurchaseTransition.Reversed(purchase.id(), PurchaseStatus.PARTIALLY_REFUNDED, 375_000, 0));
        assertThat(Outcomes.transitionOf(deliver(firstPartial))).isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(firstPartial).status()).isEqualTo(Status.DUPLICATE);

        assertThat(balance(purchase).balance()).isEqualTo(125_000);
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.PARTIALLY_REFUNDED);
        deliver(StripeEvents.chargeRefunded(purchase, 2000));
        assertThat(balance(purchase).balance()).isZero();
        assertThat(balance(purchase).totalReversed()).isEqualTo(500_000);
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.REFUNDED);
    }

    @Test
    void shouldLetRefundTakeBalanceNegativeAndRefuseUsageMeanwhile() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        deliver(succeeded(purchase));
        fixture.service
                .ledger()
                .debit(Debit.of(purchase.userId(), 90_000, IdempotencyKey.of("spent"))
                        .withDescription("chat"));

        deliver(StripeEvents.chargeRefunded(purchase, 500));

        assertThat(balance(purchase).balance()).isEqualTo(-90_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fixture.service
                        .ledger()
                        .debit(Debit.of(purchase.userId(), 1, IdempotencyKey.of("more"))
                                .withDescription("")))
                .isInstanceOf(dev.tokenbilling.error.InsufficientTokensException.class);
    }

    @Test
    void shouldReverseOnDisputeAndReinstateWhenWon() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");
        deliver(succeeded(purchase));
        fixture.service
                .ledger()
                .debit(Debit.of(purchase.userId(), 100_000, IdempotencyKey.of("spent"))
                        .withDescription("chat"));

        assertThat(Outcomes.transitionOf(deliver(
                        StripeEvents.dispute("charge.dispute.created", purchase, "dp_1", "needs_response", false))))
                .isEqualTo(new PurchaseTransition.Reversed(purchase.id(), PurchaseStatus.DISPUTED, 500_000, 0));
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.DISPUTED);
        // The chargeback took the money, so all purchased tokens go, spent ones included (allow-negative policy).
        assertThat(balance(purchase).balance()).isEqualTo(-100_000);

        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_1", "won", true));
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(balance(purchase).balance()).isEqualTo(400_000);
        assertThat(fixture.service
                        .ledger()
                        .history(purchase.userId(), PageRequest.first(1))
                        .items()
                        .get(0)
                        .kind())
                .isEqualTo(LedgerEntryKind.DISPUTE_REVERSAL);
    }

    @Test
    void shouldKeepTokensReversedWhenDisputeLost() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        deliver(succeeded(purchase));
        deliver(StripeEvents.dispute("charge.dispute.created", purchase, "dp_2", "needs_response", true));

        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_2", "lost", true));

        assertThat(status(purchase)).isEqualTo(PurchaseStatus.DISPUTED);
        assertThat(balance(purchase).balance()).isZero();
    }

    @Test
    void shouldRetryRefundThatArrivesBeforeThePayment() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");

        WebhookOutcome early = deliver(StripeEvents.chargeRefunded(purchase, 500));
        assertThat(early.status()).isEqualTo(Status.FAILED_RETRYABLE);
        assertThat(early.httpStatus()).isEqualTo(503);

        deliver(succeeded(purchase));
        assertThat(webhooks.retry(early.eventId().orElseThrow()).status()).isEqualTo(Status.PROCESSED);
        assertThat(balance(purchase).balance()).isZero();
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.REFUNDED);
    }

    @Test
    void shouldReverseOnlyWhatIsLeftUnderReverseAvailableOnlyPolicy() {
        BillingFixture strict = BillingFixture.create(
                WebhookProcessorTest.class,
                builder -> builder.stripe(
                                StripeApi.builder().secretKey("sk_test_unused").build())
                        .webhooks(WebhookVerification.builder()
                                .secret(StripeEvents.SECRET)
                                .build())
                        .refundPolicy(RefundPolicy.REVERSE_AVAILABLE_ONLY));
        strict.seed();
        Purchase purchase = strict.pendingPurchaseWithIntent("strict-user", "starter-100k");
        String success = succeeded(purchase);
        strict.billing.webhooks().handle(bytes(success), sign(success));
        strict.service
                .ledger()
                .debit(Debit.of(purchase.userId(), 70_000, IdempotencyKey.of("spent"))
                        .withDescription(""));

        String refund = StripeEvents.chargeRefunded(purchase, 500);
        strict.billing.webhooks().handle(bytes(refund), sign(refund));

        assertThat(strict.service.ledger().balance(purchase.userId()).balance()).isZero();
        Purchase refunded = strict.service
                .purchases()
                .find(purchase.userId(), purchase.id())
                .orElseThrow();
        assertThat(refunded.reversalShortfall()).isEqualTo(70_000);
        assertThat(refunded.status()).isEqualTo(PurchaseStatus.REFUNDED);
        strict.assertLedgerInvariants();
    }

    @Test
    void shouldRejectBadSignaturesAndStoreNothing() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload = succeeded(purchase);
        long storedBefore = fixture.service
                .operations()
                .webhookEvents(WebhookEventQuery.all(1000))
                .size();

        assertThat(webhooks.handle(bytes(payload), null).describe()).contains("missing Stripe-Signature");
        assertThat(webhooks.handle(bytes(payload), "garbage").describe()).contains("malformed");
        assertThat(webhooks.handle(bytes(payload), sign(payload, "whsec_wrong_secret_000000", Instant.now()))
                        .describe())
                .contains("Invalid signature");
        assertThat(webhooks.handle(
                                bytes(payload),
                                sign(payload, StripeEvents.SECRET, Instant.now().minusSeconds(301)))
                        .describe())
                .contains("tolerance");
        assertThat(webhooks.handle(bytes(payload + " "), sign(payload)).status())
                .isEqualTo(Status.REJECTED);
        assertThat(webhooks.handle(new byte[2 * 1024 * 1024], "t=1,v1=x").status())
                .isEqualTo(Status.TOO_LARGE);
        assertThat(webhooks.handle(new byte[] {(byte) 0xff, (byte) 0xfe}, "t=1,v1=x")
                        .httpStatus())
                .isEqualTo(400);
        String notJson = "{not json";
        assertThat(webhooks.handle(bytes(notJson), sign(notJson)).describe()).contains("not JSON");

        assertThat(fixture.service.operations().webhookEvents(WebhookEventQuery.all(1000)))
                .hasSize((int) storedBefore);
        assertThat(balance(purchase).balance()).isZero();
    }

    /** Found by WebhookFuzzTest: stripe-java threw NumberFormatException or ArrayIndexOutOfBoundsException out of handle. */
    @Test
    void shouldRejectSignatureHeadersStripeCannotParse() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload = succeeded(purchase);
        String now = "t=" + Instant.now().getEpochSecond();

        for (String header : List.of(
                "t=soon,v1=abc",
                "t=,v1=abc",
                "t=99999999999999999999,v1=abc",
                "v1=abc,t=~\\j%",
                "t,v1=abc",
                now + ",v1",
                now + ",v1,v1=abc")) {
            WebhookOutcome outcome = webhooks.handle(bytes(payload), header);
            assertThat(outcome.status()).as(header).isEqualTo(Status.REJECTED);
            assertThat(outcome.httpStatus()).as(header).isEqualTo(400);
        }
        assertThat(balance(purchase).balance()).isZero();
    }

    @Test
    void shouldAcceptSignatureOfRotatedSecret() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload = succeeded(purchase);

        assertThat(webhooks.handle(bytes(payload), sign(payload, "whsec_old_rotated_out_secret_000", Instant.now()))
                        .status())
                .isEqualTo(Status.PROCESSED);
    }

    @Test
    void shouldStoreAndIgnoreUnknownTypesAndRouteHostTypes() {
        WebhookOutcome ignored =
                deliver(StripeEvents.event("invoice.created", Map.of("id", "in_1", "object", "invoice")));
        WebhookOutcome handled = deliver(
                StripeEvents.event("customer.subscription.updated", Map.of("id", "sub_1", "object", "subscription")));
        WebhookOutcome foreignIntent = deliver(StripeEvents.event(
                "payment_intent.succeeded",
                Map.of(
                        "id",
                        "pi_foreign",
                        "object",
                        "payment_intent",
                        "status",
                        "succeeded",
                        "amount",
                        100,
                        "currency",
                        "usd",
                        "metadata",
                        Map.of())));

        assertThat(ignored.status()).isEqualTo(Status.IGNORED);
        assertThat(handled.status()).isEqualTo(Status.PROCESSED);
        assertThat(HANDLED).contains("customer.subscription.updated:sub_1");
        assertThat(foreignIntent.status()).isEqualTo(Status.IGNORED);
        assertThat(fixture.service
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(50).withStatus(WebhookEventStatus.IGNORED)))
                .extracting(e -> e.type())
                .contains("invoice.created", "payment_intent.succeeded");
    }

    @Test
    void shouldBackOffRetriesExponentiallyUpToSixHours() {
        assertThat(StripeWebhookProcessor.backoff(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(StripeWebhookProcessor.backoff(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(StripeWebhookProcessor.backoff(40)).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void shouldNotTrustAPaymentIntentThatOnlyNamesAnotherUsersPurchase() {
        Purchase victim = fixture.pendingPurchase(newUser(), "booster-500k");
        // A PaymentIntent this library did not make: its metadata names the victim's purchase for another user.
        String forged = StripeEvents.paymentIntentEvent(
                        "payment_intent.succeeded",
                        victim,
                        "succeeded",
                        victim.amount().minorUnits(),
                        null)
                .replace("\"user_id\":\"" + victim.userId().value() + "\"", "\"user_id\":\"attacker\"")
                .replace("\"id\":\"pi_" + victim.id() + "\"", "\"id\":\"pi_forged_" + victim.id() + "\"");

        WebhookOutcome outcome = deliver(forged);

        assertThat(outcome).isInstanceOf(WebhookOutcome.FailedPermanent.class);
        assertThat(status(victim)).isEqualTo(PurchaseStatus.PENDING);
        assertThat(fixture.service.ledger().balance(victim.userId()).balance()).isZero();
    }

    @Test
    void shouldIgnoreEventsOfConnectedAccounts() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String payload = succeeded(purchase).replaceFirst("\\{", "{\"account\":\"acct_connected_1\",");

        WebhookOutcome outcome = deliver(payload);

        assertThat(outcome).isInstanceOf(WebhookOutcome.Ignored.class);
        assertThat(balance(purchase).balance()).isZero();
    }

    @Test
    void shouldChangeNothingWhenADisputesCreationIsReplayedAfterItWasWon() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        deliver(succeeded(purchase));
        deliver(StripeEvents.dispute("charge.dispute.created", purchase, "dp_replayed", "needs_response", true));
        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_replayed", "won", true));
        assertThat(balance(purchase).balance()).isEqualTo(100_000);

        // The same dispute's creation again (a replay, a late retry, a fetched missed event).
        WebhookOutcome replayed = deliver(
                StripeEvents.dispute("charge.dispute.created", purchase, "dp_replayed", "needs_response", true));

        assertThat(Outcomes.transitionOf(replayed)).isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldTakeNothingWhenAWonDisputeArrivesBeforeItsCreation() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        deliver(succeeded(purchase));

        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_early_win", "won", true));
        WebhookOutcome created = deliver(
                StripeEvents.dispute("charge.dispute.created", purchase, "dp_early_win", "needs_response", true));

        assertThat(Outcomes.transitionOf(created)).isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(balance(purchase).balance()).isEqualTo(100_000);
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldReverseOnlyAPartialDisputesOwnShare() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "booster-500k");
        deliver(succeeded(purchase));
        long quarter = purchase.amount().minorUnits() / 4;
        String partial = StripeEvents.dispute("charge.dispute.created", purchase, "dp_partial", "needs_response", true)
                .replace("\"amount\":" + purchase.amount().minorUnits(), "\"amount\":" + quarter);

        assertThat(Outcomes.transitionOf(deliver(partial)))
                .isEqualTo(new PurchaseTransition.Reversed(purchase.id(), PurchaseStatus.DISPUTED, 125_000, 0));
        assertThat(balance(purchase).balance()).isEqualTo(375_000);

        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_partial", "lost", true)
                .replace("\"amount\":" + purchase.amount().minorUnits(), "\"amount\":" + quarter));
        assertThat(balance(purchase).balance()).isEqualTo(375_000);
    }

    @Test
    void shouldTakeARefundFromThePurchasesOwnTokensNotFromAPromotion() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        deliver(succeeded(purchase));
        // A promotion drawn before paid tokens and about to lapse.
        fixture.service
                .ledger()
                .grant(dev.tokenbilling.model.Grant.of(purchase.userId(), 10_000, IdempotencyKey.of("promo"), "promo")
                        .withTerms(dev.tokenbilling.model.LotTerms.expiringAt(
                                        java.time.Instant.now().plus(Duration.ofDays(1)))
                                .withPriority(-1)));

        deliver(StripeEvents.chargeRefunded(purchase, purchase.amount().minorUnits()));

        assertThat(balance(purchase).balance()).isEqualTo(10_000);
        assertThat(fixture.service.ledger().lots(purchase.userId()))
                .singleElement()
                .satisfies(lot -> {
                    assertThat(lot.source()).isEqualTo("grant");
                    assertThat(lot.remaining()).isEqualTo(10_000);
                });
    }

    @Test
    void shouldGiveAWonDisputesTokensBackOnThePurchasesOwnTerms() {
        fixture.service
                .catalog()
                .savePackage(new dev.tokenbilling.model.PackageDefinition(
                        "monthly-50k",
                        "Monthly",
                        "monthly",
                        50_000,
                        dev.tokenbilling.model.Money.of(300, "USD"),
                        "",
                        true,
                        9,
                        java.util.Optional.of(30)));
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "monthly-50k");
        deliver(succeeded(purchase));
        java.time.Instant lapses = fixture.service
                .ledger()
                .lots(purchase.userId())
                .get(0)
                .expiresAt()
                .orElseThrow();

        deliver(StripeEvents.dispute("charge.dispute.created", purchase, "dp_terms", "needs_response", true));
        deliver(StripeEvents.dispute("charge.dispute.closed", purchase, "dp_terms", "won", true));

        assertThat(balance(purchase).balance()).isEqualTo(50_000);
        assertThat(fixture.service.ledger().lots(purchase.userId()))
                .singleElement()
                .satisfies(lot -> {
                    assertThat(lot.source()).isEqualTo("dispute_reversal");
                    assertThat(lot.expiresAt()).contains(lapses);
                });
    }

    @Test
    void shouldIgnoreALiveEventAtATestModeIntegration() {
        Purchase purchase = fixture.pendingPurchaseWithIntent(newUser(), "starter-100k");
        String live = succeeded(purchase).replace("\"livemode\":false", "\"livemode\":true");

        WebhookOutcome outcome = deliver(live);

        assertThat(outcome).isInstanceOf(WebhookOutcome.Ignored.class);
        assertThat(balance(purchase).balance()).isZero();
        assertThat(status(purchase)).isEqualTo(PurchaseStatus.PENDING);
    }
}
