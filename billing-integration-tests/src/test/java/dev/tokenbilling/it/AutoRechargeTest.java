package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentMethodAttachParams;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.ActionNeeded;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Auto-recharge end to end: cards saved on the user's Stripe customer, debits that cross the
 * threshold, and the worker paying off-session with FakeStripe's test cards, the webhook and the
 * worker both applying the payment, once.
 */
class AutoRechargeTest {

    private static final List<BillingEvent> events = new CopyOnWriteArrayList<>();
    private static Shop shop;
    private static TokenBillingService service;
    private static StripeClient stripe;
    private static int users;

    @BeforeAll
    static void open() {
        shop = Shop.open(AutoRechargeTest.class, builder -> builder.eventListener(events::add));
        service = shop.billing.service();
        stripe = StripeClient.builder()
                .setApiKey(shop.stripe.secretKey())
                .setApiBase(shop.stripe.apiBase())
                .build();
    }

    @AfterAll
    static void close() {
        shop.close();
    }

    @AfterEach
    void ledgerStaysSound() {
        shop.fixture.assertLedgerInvariants();
    }

    /** A user who bought Starter (100,000 tokens) and let the page save the card. */
    private static UserId buyerWithSavedCard(String paymentMethod) {
        String user = "recharger-" + (++users);
        PurchaseIntent intent = service.purchases().startSavingCard(UserId.of(user), "starter-100k");
        assertThat(shop.pay(intent, paymentMethod)).isEmpty();
        settle();
        return UserId.of(user);
    }

    private static void settle() {
        assertThat(shop.stripe.awaitWebhooks()).isTrue();
    }

    private static long balance(UserId user) {
        return service.ledger().balance(user).balance();
    }

    private static List<String> eventTypes(UserId user) {
        service.operations().deliverEvents(1_000);
        return events.stream()
                .filter(event -> event.userId().equals(user) && event.type().startsWith("recharge."))
                .map(BillingEvent::type)
                .toList();
    }

    /** Attaches a test card to the user's customer and makes the rule pay with it. */
    private static void payWith(UserId user, String testPaymentMethod) throws StripeException {
        String customer = shop.billing.store().subscriptions().customerOf(user).orElseThrow();
        String card = stripe.v1()
                .paymentMethods()
                .attach(
                        testPaymentMethod,
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build())
                .getId();
        RechargeRule rule = service.recharge().rule(user).orElseThrow();
        service.recharge()
                .setRule(
                        user,
                        RechargeSettings.of(rule.packageSlug(), rule.threshold())
                                .withMaxFailures(rule.maxFailures())
                                .withPaymentMethod(card));
    }

    private static long rechargePaymentIntents(UserId user) {
        return shop.stripe.objects("payment_intent").stream()
                .filter(pi ->
                        user.value().equals(pi.path("metadata").path("user_id").asText())
                                && pi.path("metadata").has("recharge_attempt"))
                .count();
    }

    @Test
    void shouldRechargeOnceWhenEightThreadsCrossTheThreshold() throws Exception {
        UserId user = buyerWithSavedCard("pm_card_visa");
        List<SavedCard> cards = service.recharge().cards(user);
        assertThat(cards)
                .singleElement()
                .satisfies(card -> assertThat(card.last4()).isEqualTo("4242"));
        service.recharge().setRule(user, RechargeSettings.of("booster-500k", 50_000));

        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> debits = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                debits.add(threads.submit(
                        () -> service.ledger().debit(Debit.of(user, 8_000, IdempotencyKey.of("crossing-" + n)))));
            }
            for (Future<?> debit : debits) {
                debit.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(balance(user)).isEqualTo(100_000 - 64_000);
        assertThat(service.recharge().attempts(user, 10))
                .singleElement()
                .satisfies(attempt -> assertThat(attempt.status()).isEqualTo(RechargeStatus.PENDING));

        // The worker on two instances at once, and the webhook: one payment, one credit.
        List<RechargeRunReport> runs = new ArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<RechargeRunReport>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(workers.submit(() -> service.recharge().runDue(10)));
            }
            for (Future<RechargeRunReport> future : futures) {
                runs.add(future.get(30, TimeUnit.SECONDS));
            }
        } finally {
            workers.shutdownNow();
        }
        settle();
        shop.billing.reconciler().run(java.time.Duration.ZERO, 100);

        assertThat(runs.stream().mapToInt(RechargeRunReport::paid).sum()).isEqualTo(1);
        assertThat(rechargePaymentIntents(user)).isEqualTo(1);
        assertThat(balance(user)).isEqualTo(100_000 - 64_000 + 500_000);
        assertThat(service.recharge().attempts(user, 10))
                .singleElement()
                .satisfies(attempt -> assertThat(attempt.status()).isEqualTo(RechargeStatus.SUCCEEDED));
        assertThat(eventTypes(user)).containsExactly("recharge.succeeded");
    }

    @Test
    void shouldPauseTheRuleAfterItsDeclinesWithAnEventEachTime() throws Exception {
        UserId user = buyerWithSavedCard("pm_card_visa");
        service.recharge()
                .setRule(user, RechargeSettings.of("booster-500k", 50_000).withMaxFailures(2));
        payWith(user, "pm_card_chargeDeclinedInsufficientFunds");

        service.ledger().debit(Debit.of(user, 60_000, IdempotencyKey.of("below")));
        RechargeRunReport first = service.recharge().runDue(10);
        assertThat(first.declined()).isEqualTo(1);
        RechargeAttempt retrying = service.recharge().attempts(user, 10).get(0);
        assertThat(retrying.status()).isEqualTo(RechargeStatus.PENDING);
        assertThat(retrying.reason()).contains("declined: insufficient_funds");
        assertThat(service.recharge().rule(user).orElseThrow().running()).isTrue();

        // Due again later: the second decline pauses the rule.
        shop.billing
                .store()
                .recharges()
                .update(
                        user,
                        retrying.id(),
                        RechargeStatus.PENDING,
                        retrying.reason(),
                        Optional.empty(),
                        java.time.Instant.now(),
                        false,
                        java.time.Instant.now());
        service.recharge().runDue(10);
        RechargeAttempt failed = service.recharge().attempts(user, 10).get(0);
        assertThat(failed.status()).isEqualTo(RechargeStatus.FAILED);
        assertThat(failed.tries()).isEqualTo(2);
        RechargeRule paused = service.recharge().rule(user).orElseThrow();
        assertThat(paused.running()).isFalse();
        assertThat(paused.pausedReason()).contains("declined: insufficient_funds");
        assertThat(eventTypes(user)).containsExactly("recharge.failed", "recharge.failed");
        assertThat(balance(user)).isEqualTo(40_000);
        assertThat(rechargePaymentIntents(user)).isEqualTo(2);
    }

    @Test
    void shouldAskTheUserWhenTheCardNeedsAuthenticationAndResumeAfterTheyPay() throws Exception {
        UserId user = buyerWithSavedCard("pm_card_visa");
        service.recharge().setRule(user, RechargeSettings.of("booster-500k", 50_000));
        payWith(user, "pm_card_authenticationRequired");

        service.ledger().debit(Debit.of(user, 60_000, IdempotencyKey.of("needs-user")));
        assertThat(service.recharge().runDue(10).needsAction()).isEqualTo(1);
        settle();
        RechargeRule paused = service.recharge().rule(user).orElseThrow();
        assertThat(paused.pausedReason()).contains("authentication_required");
        assertThat(eventTypes(user)).containsExactly("recharge.needs_action");

        // The page shows "action needed"; the user pays on-session (3-D Secure) with the same card.
        ActionNeeded action = service.recharge().actionNeeded(user).orElseThrow();
        assertThat(action.amount().minorUnits()).isEqualTo(2000);
        stripe.v1()
                .paymentIntents()
                .confirm(
                        action.paymentIntentId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(paused.paymentMethodId())
                                .build());
        ObjectNode authenticated = shop.stripe.authenticate(action.paymentIntentId(), true);
        assertThat(authenticated.path("status").asText()).isEqualTo("succeeded");
        settle();

        assertThat(balance(user)).isEqualTo(40_000 + 500_000);
        assertThat(service.recharge().attempts(user, 10).get(0).status()).isEqualTo(RechargeStatus.SUCCEEDED);
        assertThat(service.recharge().rule(user).orElseThrow().running()).isTrue();
        assertThat(eventTypes(user)).containsExactly("recharge.needs_action", "recharge.succeeded");
        assertThat(service.recharge().actionNeeded(user)).isEmpty();
    }

    @Test
    void shouldSkipARechargePastTheMonthlyLimit() throws Exception {
        UserId user = buyerWithSavedCard("pm_card_visa");
        service.recharge()
                .setRule(user, RechargeSettings.of("starter-100k", 50_000).withMaxPerMonth(1));
        service.ledger().debit(Debit.of(user, 60_000, IdempotencyKey.of("first-crossing")));
        assertThat(service.recharge().runDue(10).paid()).isEqualTo(1);
        settle();
        assertThat(balance(user)).isEqualTo(140_000);

        service.ledger().debit(Debit.of(user, 100_000, IdempotencyKey.of("second-crossing")));
        assertThat(service.recharge().runDue(10).skipped()).isEqualTo(1);
        assertThat(service.recharge().attempts(user, 10).get(0).reason())
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("monthly limit reached"));
        assertThat(balance(user)).isEqualTo(40_000);
        assertThat(eventTypes(user)).containsExactly("recharge.succeeded", "recharge.failed");
    }

    @Test
    void shouldRefuseARuleWithoutASavedCard() {
        UserId user = UserId.of("no-card-" + (++users));
        assertThatThrownBy(() -> service.recharge().setRule(user, RechargeSettings.of("booster-500k", 1_000)))
                .isInstanceOf(BillingException.class)
                .hasMessageContaining("no saved card");
    }
}
