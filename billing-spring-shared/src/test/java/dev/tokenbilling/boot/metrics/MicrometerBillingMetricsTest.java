package dev.tokenbilling.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookOutcome.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerBillingMetricsTest {

    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerBillingMetrics metrics = new MicrometerBillingMetrics(registry);

    @Test
    void shouldCountWebhookOutcomesAndTheirLatencyWithoutReadingTheirText() {
        metrics.webhookHandled(
                outcome(Status.PROCESSED, "completed: 500000 tokens credited", "payment_intent.succeeded"),
                Duration.ofMillis(12));
        metrics.webhookHandled(
                outcome(Status.DUPLICATE, "already processed", "payment_intent.succeeded"), Duration.ofMillis(2));
        metrics.webhookHandled(new WebhookOutcome.Rejected("Invalid signature"), Duration.ofMillis(1));

        assertThat(registry.get("billing.webhook.deliveries")
                        .tags("outcome", "processed", "type", "payment_intent.succeeded")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.webhook.deliveries")
                        .tags("outcome", "rejected", "type", "none")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.webhook.latency")
                        .tag("outcome", "processed")
                        .timer()
                        .totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(12);
        // The reason text says "tokens credited", but credits are counted only from the ledger entries the core
        // reports.
        assertThat(registry.find("billing.tokens.credited").counter()).isNull();
        assertThat(registry.find("billing.purchases.completed").counter()).isNull();
    }

    @Test
    void shouldCountPurchasesFromTheListenerCalls() {
        metrics.purchaseStarted(purchase(PurchaseStatus.PENDING, Optional.empty()));
        metrics.purchaseCompleted(
                purchase(PurchaseStatus.COMPLETED, Optional.empty()), entry(LedgerEntryKind.PURCHASE, 500_000));
        metrics.purchaseFailed(purchase(PurchaseStatus.FAILED, Optional.of("card_declined")));
        metrics.purchaseFailed(purchase(PurchaseStatus.FAILED, Optional.empty()));
        metrics.purchaseStartFailed("booster-500k", "unknown_package");

        assertThat(registry.get("billing.purchases.started")
                        .tag("package", "booster-500k")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.purchases.completed")
                        .tag("package", "booster-500k")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.purchases.failed")
                        .tags("stage", "payment", "reason", "card_declined")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.purchases.failed")
                        .tags("stage", "payment", "reason", "payment_failed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.purchases.failed")
                        .tags("stage", "start", "reason", "unknown_package")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCountTokensByLedgerEntryKind() {
        metrics.tokensCredited(entry(LedgerEntryKind.PURCHASE, 500_000));
        metrics.tokensCredited(entry(LedgerEntryKind.GRANT, 1_000));
        metrics.tokensCredited(entry(LedgerEntryKind.DISPUTE_REVERSAL, 300));
        metrics.tokensDebited(entry(LedgerEntryKind.USAGE, -1_250));
        metrics.tokensDebited(entry(LedgerEntryKind.USAGE, -750));
        metrics.tokensDebited(entry(LedgerEntryKind.REFUND, -250_000));
        metrics.tokensDebited(entry(LedgerEntryKind.DISPUTE, -300));
        metrics.tokensDebited(entry(LedgerEntryKind.ADJUSTMENT, -5));

        assertThat(registry.get("billing.tokens.credited")
                        .tag("kind", "purchase")
                        .counter()
                        .count())
                .isEqualTo(500_000);
        assertThat(registry.get("billing.tokens.credited")
                        .tag("kind", "grant")
                        .counter()
                        .count())
                .isEqualTo(1_000);
        assertThat(registry.get("billing.tokens.credited")
                        .tag("kind", "dispute_reversal")
                        .counter()
                        .count())
                .isEqualTo(300);
        assertThat(registry.get("billing.tokens.debited")
                        .tag("kind", "usage")
                        .counter()
                        .count())
                .as("debits count positive")
                .isEqualTo(2_000);
        assertThat(registry.get("billing.tokens.debited")
                        .tag("kind", "refund")
                        .counter()
                        .count())
                .isEqualTo(250_000);
        assertThat(registry.get("billing.tokens.debited")
                        .tag("kind", "dispute")
                        .counter()
                        .count())
                .isEqualTo(300);
        assertThat(registry.get("billing.tokens.debited")
                        .tag("kind", "adjustment")
                        .counter()
                        .count())
                .isEqualTo(5);
        assertThat(registry.get("billing.tokens.credited").counters())
                .allSatisfy(counter -> assertThat(counter.getId().getTags())
                        .extracting(tag -> tag.getKey())
                        .containsExactly("kind"));
    }

    @Test
    void shouldTimeReconcilerRunsAndCountFailuresByJob() {
        ReconcileReport report = new ReconcileReport(
                List.of(new PurchaseCheck(
                        1,
                        Optional.of("pi_1"),
                        PurchaseStatus.PENDING,
                        PurchaseStatus.COMPLETED,
                        new PurchaseCheck.Applied("succeeded", false, new PurchaseTransition.Completed(1, 100_000)))),
                List.of());

        metrics.reconcilerRan(report, Duration.ofMillis(5));
        metrics.reconcilerFailed(new IllegalStateException("down"));
        metrics.missedEventsFetchFailed(new IllegalStateException("down"));

        assertThat(registry.get("billing.reconciler.runs").timer().count()).isEqualTo(1);
        assertThat(registry.get("billing.reconciler.failures")
                        .tags("job", "reconcile", "exception", "IllegalStateException")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.reconciler.failures")
                        .tag("job", "fetch_missed_events")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.find("billing.tokens.credited").counter())
                .as("the listener counts the credit, not the report")
                .isNull();
    }

    @Test
    void shouldCountMissedEventsByOutcome() {
        metrics.missedEventsFetched(
                new MissedEventsReport(
                        5,
                        3,
                        List.of(
                                outcome(Status.PROCESSED, "completed", "payment_intent.succeeded"),
                                outcome(Status.IGNORED, "nothing to do", "charge.succeeded"))),
                Duration.ofMillis(40));

        assertThat(registry.get("billing.reconciler.fetches").timer().count()).isEqualTo(1);
        assertThat(registry.get("billing.reconciler.missed.events")
                        .tag("outcome", "processed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.reconciler.missed.events")
                        .tag("outcome", "ignored")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCountSubscriptionChangesByStatusAndAllowanceTokens() {
        metrics.subscriptionChanged(subscription(SubscriptionStatus.ACTIVE, "plus"));
        metrics.subscriptionChanged(subscription(SubscriptionStatus.ACTIVE, "plus"));
        metrics.subscriptionChanged(subscription(SubscriptionStatus.PAST_DUE, "plus"));
        metrics.subscriptionChanged(subscription(SubscriptionStatus.CANCELED, "pro"));
        metrics.allowanceGranted(entry(LedgerEntryKind.ALLOWANCE, 600_000));
        metrics.allowanceGranted(entry(LedgerEntryKind.ALLOWANCE, 50_000));
        metrics.allowanceGranted(entry(LedgerEntryKind.ALLOWANCE, 0));

        assertThat(registry.get("billing.subscriptions.changed")
                        .tags("status", "active", "tier", "plus")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("billing.subscriptions.changed")
                        .tags("status", "past_due", "tier", "plus")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.subscriptions.changed")
                        .tags("status", "canceled", "tier", "pro")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.allowance.granted").counter().count()).isEqualTo(650_000);
        // The core reports an allowance as a credit too; that is counted there, not here.
        assertThat(registry.find("billing.tokens.credited").counter()).isNull();
    }

    @Test
    void shouldCountExpiredTokensLotsAndHolds() {
        metrics.expiryRan(new ExpiryReport(0, 0, 0), Duration.ofMillis(1));
        assertThat(registry.get("billing.tokens.expired").counter().count())
                .as("registered at zero")
                .isZero();

        metrics.expiryRan(new ExpiryReport(2, 7_500, 3), Duration.ofMillis(3));
        metrics.expiryFailed(new IllegalStateException("down"));

        assertThat(registry.get("billing.expiry.runs").timer().count()).isEqualTo(2);
        assertThat(registry.get("billing.tokens.expired").counter().count()).isEqualTo(7_500);
        assertThat(registry.get("billing.lots.expired").counter().count()).isEqualTo(2);
        assertThat(registry.get("billing.holds.expired").counter().count()).isEqualTo(3);
        assertThat(registry.get("billing.expiry.failures")
                        .tag("exception", "IllegalStateException")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCountDeliveredAndFailedBillingEvents() {
        metrics.eventsDelivered(new DeliveryReport(0, 0, 0), Duration.ofMillis(1));
        assertThat(registry.get("billing.events.delivered").counter().count())
                .as("registered at zero")
                .isZero();

        metrics.eventsDelivered(new DeliveryReport(5, 4, 1), Duration.ofMillis(2));
        metrics.eventDeliveryFailed(new IllegalStateException("down"));

        assertThat(registry.get("billing.events.runs").timer().count()).isEqualTo(2);
        assertThat(registry.get("billing.events.delivered").counter().count()).isEqualTo(4);
        assertThat(registry.get("billing.events.failed").counter().count()).isEqualTo(1);
        assertThat(registry.get("billing.events.failures")
                        .tag("exception", "IllegalStateException")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldCountRechargesByOutcome() {
        metrics.rechargesRan(new RechargeRunReport(6, 3, 1, 1, 1), Duration.ofMillis(5));
        metrics.rechargesRan(new RechargeRunReport(1, 1, 0, 0, 0), Duration.ofMillis(5));
        metrics.rechargeFailed(new IllegalStateException("down"));

        assertThat(registry.get("billing.recharge.runs").timer().count()).isEqualTo(2);
        assertThat(registry.get("billing.recharges")
                        .tag("outcome", "paid")
                        .counter()
                        .count())
                .isEqualTo(4);
        assertThat(registry.get("billing.recharges")
                        .tag("outcome", "declined")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.recharges")
                        .tag("outcome", "needs_action")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.recharges")
                        .tag("outcome", "skipped")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("billing.recharge.failures")
                        .tag("exception", "IllegalStateException")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    /** An outcome of {@code status} whose one-line description is {@code detail}. */
    private static WebhookOutcome outcome(Status status, String detail, String type) {
        WebhookOutcome outcome = switch (status) {
            case PROCESSED -> new WebhookOutcome.Processed("evt_1", type, Optional.empty(), detail);
            case DUPLICATE -> new WebhookOutcome.Duplicate("evt_1", type, WebhookEventStatus.PROCESSED);
            case IGNORED -> new WebhookOutcome.Ignored("evt_1", type, detail);
            case FAILED_PERMANENT -> new WebhookOutcome.FailedPermanent("evt_1", Optional.of(type), detail);
            case FAILED_RETRYABLE ->
                new WebhookOutcome.FailedRetryable(Optional.of("evt_1"), Optional.of(type), detail);
            case REJECTED -> new WebhookOutcome.Rejected(detail);
            case TOO_LARGE -> new WebhookOutcome.TooLarge(2_000_000, 1_048_576);
        };
        assertThat(outcome.status()).isEqualTo(status);
        return outcome;
    }

    private static LedgerEntry entry(LedgerEntryKind kind, long amount) {
        return new LedgerEntry(
                1,
                UserId.of("alice"),
                kind,
                amount,
                Math.max(0, amount),
                Optional.empty(),
                Optional.empty(),
                kind.wireName(),
                NOW);
    }

    private static Subscription subscription(SubscriptionStatus status, String tier) {
        return new Subscription(
                UserId.of("alice"),
                "sub_1",
                Optional.of("cus_1"),
                3,
                tier,
                BillingInterval.MONTH,
                status,
                Optional.of(NOW),
                Optional.of(NOW.plus(Duration.ofDays(30))),
                false,
                Optional.empty(),
                Optional.empty(),
                NOW,
                NOW,
                NOW);
    }

    private static Purchase purchase(PurchaseStatus status, Optional<String> failureCode) {
        return new Purchase(
                7,
                UserId.of("alice"),
                2,
                "booster-500k",
                500_000,
                Money.of(2000, "USD"),
                status,
                Optional.of("pi_1"),
                Optional.empty(),
                Optional.empty(),
                failureCode,
                failureCode.map(code -> "Your card was declined."),
                0,
                0,
                0,
                0,
                NOW,
                NOW,
                Optional.empty(),
                Optional.empty());
    }
}
