package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.testhelpers.TestClock;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.PaymentMethodAttachParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.testhelpers.TestClockAdvanceParams;
import com.stripe.param.testhelpers.TestClockCreateParams;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.reconcile.SubscriptionCheck;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.testkit.stripe.DeliveryOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subscription tiers end to end: the library and stripe-java against FakeStripe, whose test clocks
 * renew subscriptions and send their events through a real webhook endpoint, as Stripe does. The
 * library's clock follows the test clock.
 */
class SubscriptionFlowTest {

    private static final String SUCCESS =
            "https://shop.example/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}";
    private static final String CANCEL = "https://shop.example/billing?checkout=canceled";

    private static MutableClock clock;
    private static Shop shop;
    private static TokenBillingService service;
    private static StripeClient stripe;
    /** The host's customer of each user, each on a test clock (the library's customer resolver hook). */
    private static final Map<String, String> customers = new ConcurrentHashMap<>();

    private static int users;

    @BeforeAll
    static void open() {
        clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        shop = Shop.open(
                SubscriptionFlowTest.class,
                clock,
                builder -> builder.customerResolver(user -> Optional.ofNullable(customers.get(user.value()))));
        service = shop.billing.service();
        DefaultCatalog.tiers().forEach(service.catalog()::saveTier);
        service.catalog().syncTiersToStripe(false);
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

    /** A user whose Stripe customer lives on a test clock of its own, frozen at the library's now. */
    private record Subscriber(UserId user, String clockId) {}

    private static Subscriber subscriber() throws StripeException {
        UserId user = UserId.of("subscriber-" + (++users));
        TestClock testClock = stripe.v1()
                .testHelpers()
                .testClocks()
                .create(TestClockCreateParams.builder()
                        .setFrozenTime(clock.instant().getEpochSecond())
                        .build());
        Customer customer = stripe.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setTestClock(testClock.getId())
                        .putMetadata("user_id", user.value())
                        .build());
        customers.put(user.value(), customer.getId());
        return new Subscriber(user, testClock.getId());
    }

    private static Subscription subscribe(Subscriber subscriber, String tier) {
        CheckoutSession session =
                service.subscriptions().checkout(subscriber.user(), tier, BillingInterval.MONTH, SUCCESS, CANCEL);
        assertThat(session.url()).startsWith(shop.stripe.apiBase());
        shop.stripe.completeCheckout(session.id(), "4242424242424242");
        settle();
        return current(subscriber);
    }

    /** Moves the subscriber's test clock (and the library's clock with it) by {@code months} calendar months. */
    private static void advanceMonths(Subscriber subscriber, int months) throws StripeException {
        Instant to = clock.instant().atZone(ZoneOffset.UTC).plusMonths(months).toInstant();
        advanceTo(subscriber, to);
    }

    private static void advanceTo(Subscriber subscriber, Instant to) throws StripeException {
        stripe.v1()
                .testHelpers()
                .testClocks()
                .advance(
                        subscriber.clockId(),
                        TestClockAdvanceParams.builder()
                                .setFrozenTime(to.getEpochSecond())
                                .build());
        clock.advance(Duration.between(clock.instant(), to));
        settle();
        service.operations().expire(1_000); // lapsed allowances leave, as the scheduled job does
    }

    private static void settle() {
        assertThat(shop.stripe.awaitWebhooks()).as("webhooks delivered").isTrue();
    }

    private static Subscription current(Subscriber subscriber) {
        return service.subscriptions().subscriptions(subscriber.user()).get(0);
    }

    private static List<Long> allowances(UserId user) {
        List<LedgerEntry> entries = new ArrayList<>(
                service.ledger().history(user, PageRequest.first(200)).items());
        Collections.reverse(entries);
        return entries.stream()
                .filter(entry -> entry.kind() == LedgerEntryKind.ALLOWANCE)
                .map(LedgerEntry::amount)
                .toList();
    }

    private static long balance(UserId user) {
        return service.ledger().balance(user).balance();
    }

    @Test
    void shouldGrantTheFirstPeriodAndThreeRenewalsOnceEachWhateverTheDeliveries() throws StripeException {
        Subscriber subscriber = subscriber();
        Subscription subscription = subscribe(subscriber, "plus");
        assertThat(subscription.status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(subscription.tierSlug()).isEqualTo("plus");
        assertThat(allowances(subscriber.user())).containsExactly(600_000L);

        // Renewal 1: every event delivered twice. Renewal 2: newest first. Renewal 3: shuffled, three times.
        shop.stripe.holdWebhooks();
        advanceMonths(subscriber, 1);
        shop.stripe.deliverHeld(DeliveryOrder.AS_HAPPENED, 2);
        advanceMonths(subscriber, 1);
        shop.stripe.deliverHeld(DeliveryOrder.REVERSED);
        advanceMonths(subscriber, 1);
        shop.stripe.deliverHeld(DeliveryOrder.SHUFFLED, 3);
        shop.stripe.deliverWebhooksImmediately();
        settle();
        // Past the grace that lets the previous period's allowance outlive it a little.
        advanceTo(subscriber, clock.instant().plus(Duration.ofHours(3)));

        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 600_000L, 600_000L, 600_000L);
        // Each lapsed period's allowance expired: only the current one is left.
        assertThat(balance(subscriber.user())).isEqualTo(600_000L);
        SubscriptionOverview overview = service.subscriptions().overview(subscriber.user());
        assertThat(overview.tier()).map(SubscriptionTier::slug).contains("plus");
        assertThat(overview.allowanceRemaining()).isEqualTo(600_000L);
        assertThat(overview.resetsAt()).isEqualTo(current(subscriber).currentPeriodEnd());
        assertThat(current(subscriber).currentPeriodEnd().orElseThrow()).isAfter(clock.instant());
    }

    @Test
    void shouldTopAnUpgradeUpAtOnce() throws StripeException {
        Subscriber subscriber = subscriber();
        Subscription subscription = subscribe(subscriber, "plus");
        service.ledger()
                .debit(dev.tokenbilling.model.Debit.of(
                        subscriber.user(), 100_000, dev.tokenbilling.model.IdempotencyKey.of("before-upgrade")));
        advanceTo(subscriber, clock.instant().plus(Duration.ofDays(10)));

        // The customer portal (or the host) switches the price; Stripe invoices the prorations now.
        var stripeSubscription = stripe.v1().subscriptions().retrieve(subscription.stripeSubscriptionId());
        SubscriptionTier pro = service.catalog().findTier("pro").orElseThrow();
        stripe.v1()
                .subscriptions()
                .update(
                        subscription.stripeSubscriptionId(),
                        SubscriptionUpdateParams.builder()
                                .addItem(SubscriptionUpdateParams.Item.builder()
                                        .setId(stripeSubscription
                                                .getItems()
                                                .getData()
                                                .get(0)
                                                .getId())
                                        .setPrice(pro.stripeMonthlyPriceId().orElseThrow())
                                        .build())
                                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.ALWAYS_INVOICE)
                                .build());
        settle();

        // 500,000 of Plus were left: topped up to Pro's 2,000,000 for the rest of the period.
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 1_500_000L);
        assertThat(balance(subscriber.user())).isEqualTo(2_000_000L);
        assertThat(current(subscriber).tierSlug()).isEqualTo("pro");

        // The renewal grants Pro's allowance, and carries what is left up to Pro's rollover cap.
        advanceMonths(subscriber, 1);
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 1_500_000L, 2_000_000L, 500_000L);
        assertThat(balance(subscriber.user())).isEqualTo(2_500_000L);
    }

    @Test
    void shouldLeaveAFailedRenewalPastDueUntilItsInvoiceIsPaid() throws StripeException {
        Subscriber subscriber = subscriber();
        Subscription subscription = subscribe(subscriber, "plus");
        String customer = customers.get(subscriber.user().value());
        setDefaultCard(customer, subscription, "pm_card_chargeDeclined");

        advanceMonths(subscriber, 1);
        advanceTo(subscriber, clock.instant().plus(Duration.ofHours(3)));
        assertThat(current(subscriber).status()).isEqualTo(SubscriptionStatus.PAST_DUE);
        assertThat(allowances(subscriber.user())).containsExactly(600_000L);
        // The first period's allowance lapsed with its period; nothing new came.
        assertThat(balance(subscriber.user())).isZero();
        assertThat(service.subscriptions().overview(subscriber.user()).tier())
                .map(SubscriptionTier::slug)
                .contains("plus");

        // The user fixes the card; the open invoice is paid and the period is granted.
        setDefaultCard(customer, subscription, "pm_card_visa");
        String open = stripe.v1()
                .invoices()
                .list(InvoiceListParams.builder()
                        .setCustomer(customer)
                        .setStatus(InvoiceListParams.Status.OPEN)
                        .build())
                .getData()
                .get(0)
                .getId();
        stripe.v1().invoices().pay(open);
        settle();
        assertThat(current(subscriber).status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 600_000L);
    }

    @Test
    void shouldEndACanceledSubscriptionAtItsPeriodsEnd() throws StripeException {
        Subscriber subscriber = subscriber();
        subscribe(subscriber, "plus");
        Subscription canceling = service.subscriptions().cancelAtPeriodEnd(subscriber.user());
        assertThat(canceling.cancelAtPeriodEnd()).isTrue();
        assertThat(canceling.status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(service.subscriptions().resume(subscriber.user()).cancelAtPeriodEnd())
                .isFalse();
        service.subscriptions().cancelAtPeriodEnd(subscriber.user());
        settle();

        advanceMonths(subscriber, 1);
        assertThat(current(subscriber).status()).isEqualTo(SubscriptionStatus.CANCELED);
        assertThat(allowances(subscriber.user())).containsExactly(600_000L);
        // Back on the free tier, whose allowance the library grants itself.
        SubscriptionOverview overview = service.subscriptions().overview(subscriber.user());
        assertThat(overview.tier()).map(SubscriptionTier::slug).contains("explorer");
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 50_000L);
    }

    @Test
    void shouldRepairAMissedInvoiceEventOnce() throws StripeException {
        Subscriber subscriber = subscriber();
        subscribe(subscriber, "plus");
        shop.stripe.holdWebhooks();
        advanceMonthsHeld(subscriber);
        List<String> lost = shop.stripe.heldEvents();
        shop.stripe.discardHeld();
        shop.stripe.deliverWebhooksImmediately();
        assertThat(allowances(subscriber.user())).containsExactly(600_000L);

        List<SubscriptionCheck> checks = shop.billing.reconciler().reconcileSubscriptions(100);
        assertThat(checks)
                .filteredOn(check -> check.userId().equals(subscriber.user()))
                .singleElement()
                .satisfies(check -> assertThat(check.granted()).hasSize(1));
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 600_000L);

        // The lost events arrive after all: nothing more is granted.
        lost.forEach(shop.stripe::redeliver);
        settle();
        shop.billing.reconciler().reconcileSubscriptions(100);
        assertThat(allowances(subscriber.user())).containsExactly(600_000L, 600_000L);
    }

    private static void advanceMonthsHeld(Subscriber subscriber) throws StripeException {
        Instant to = clock.instant().atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
        stripe.v1()
                .testHelpers()
                .testClocks()
                .advance(
                        subscriber.clockId(),
                        TestClockAdvanceParams.builder()
                                .setFrozenTime(to.getEpochSecond())
                                .build());
        clock.advance(Duration.between(clock.instant(), to));
    }

    @Test
    void shouldSellAPackThroughCheckout() throws StripeException {
        Subscriber subscriber = subscriber();
        CheckoutSession session = service.purchases().startCheckout(subscriber.user(), "booster-500k", SUCCESS, CANCEL);
        assertThat(session.purchaseId()).isPresent();
        shop.stripe.completeCheckout(session.id(), "4242424242424242");
        settle();

        Purchase purchase =
                service.purchases().get(subscriber.user(), session.purchaseId().get());
        assertThat(purchase.status()).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(balance(subscriber.user())).isEqualTo(500_000L);
    }

    /** What the customer portal does when the user changes card: the subscription's default payment method. */
    @Test
    void shouldCreditAnAsynchronousCheckoutPaymentOnlyWhenItSucceeds() throws StripeException {
        Subscriber paying = subscriber();
        Subscriber failing = subscriber();
        CheckoutSession paid = service.purchases().startCheckout(paying.user(), "booster-500k", SUCCESS, CANCEL);
        CheckoutSession declined = service.purchases().startCheckout(failing.user(), "booster-500k", SUCCESS, CANCEL);
        shop.stripe.setAsyncCardPayments(true);
        try {
            shop.stripe.completeCheckout(paid.id(), "4242424242424242");
            shop.stripe.completeCheckout(declined.id(), "4242424242424242");
            settle();
            assertThat(service.purchases()
                            .get(paying.user(), paid.purchaseId().get())
                            .status())
                    .isEqualTo(PurchaseStatus.PROCESSING);
            assertThat(balance(paying.user())).isZero();

            shop.stripe.completeProcessing(paymentIntentOf(paid), true);
            shop.stripe.completeProcessing(paymentIntentOf(declined), false);
            settle();
        } finally {
            shop.stripe.setAsyncCardPayments(false);
        }
        assertThat(shop.stripe.eventTypes())
                .contains("checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed");
        assertThat(service.purchases()
                        .get(paying.user(), paid.purchaseId().get())
                        .status())
                .isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(service.purchases()
                        .get(failing.user(), declined.purchaseId().get())
                        .status())
                .isEqualTo(PurchaseStatus.FAILED);
        assertThat(balance(paying.user())).isEqualTo(500_000L);
        assertThat(balance(failing.user())).isZero();
    }

    private static String paymentIntentOf(CheckoutSession session) {
        return shop.stripe
                .object(session.id())
                .orElseThrow()
                .path("payment_intent")
                .asText();
    }

    private static void setDefaultCard(String customer, Subscription subscription, String testPaymentMethod)
            throws StripeException {
        String attached = stripe.v1()
                .paymentMethods()
                .attach(
                        testPaymentMethod,
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build())
                .getId();
        stripe.v1()
                .subscriptions()
                .update(
                        subscription.stripeSubscriptionId(),
                        SubscriptionUpdateParams.builder()
                                .setDefaultPaymentMethod(attached)
                                .build());
    }
}
