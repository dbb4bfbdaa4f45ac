package dev.tokenbilling.boot.metrics;

import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.webhook.WebhookOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@link BillingMetrics} on Micrometer. Meters (all counters unless noted):
 * <ul>
 *   <li>{@code billing.purchases.started} {@code package}: purchases whose PaymentIntent was created</li>
 *   <li>{@code billing.purchases.completed} {@code package}: purchases completed and credited (by a webhook,
 *       the reconciler or a cancel that found the payment made)</li>
 *   <li>{@code billing.purchases.failed} {@code stage=start|payment}, {@code reason}: purchases the REST API
 *       could not start (unknown package, Stripe down...), and failed payment attempts (card declined...)</li>
 *   <li>{@code billing.tokens.credited} {@code kind=purchase|grant|allowance|adjustment|dispute_reversal|refund_reversal}: tokens credited</li>
 *   <li>{@code billing.tokens.debited} {@code kind=usage|adjustment|refund|dispute|...}: tokens debited; usage
 *       includes {@code ledger().debit}, {@code ledger().debitAll} and settled holds</li>
 *   <li>{@code billing.subscriptions.changed} {@code status=active|trialing|past_due|canceled|...}, {@code tier}:
 *       subscription changes stored (created, renewed, upgraded, past due, canceled...), by the state they left</li>
 *   <li>{@code billing.allowance.granted}: tokens granted as tier allowances (paid invoices, upgrades' top-ups,
 *       the free tier's month); also counted in {@code billing.tokens.credited} {@code kind=allowance}</li>
 *   <li>{@code billing.webhook.deliveries} {@code outcome}, {@code type}: webhook deliveries by outcome</li>
 *   <li>{@code billing.webhook.latency} (timer) {@code outcome}: time to verify, store and process a delivery</li>
 *   <li>{@code billing.reconciler.runs} (timer); {@code billing.reconciler.failures}
 *       {@code job=reconcile|fetch_missed_events}, {@code exception}</li>
 *   <li>{@code billing.reconciler.fetches} (timer); {@code billing.reconciler.missed.events} {@code outcome}:
 *       events fetched from Stripe's API that no webhook had brought</li>
 *   <li>{@code billing.expiry.runs} (timer), {@code billing.expiry.failures} {@code exception};
 *       {@code billing.tokens.expired} (tokens), {@code billing.lots.expired}, {@code billing.holds.expired}
 *       (holds released after their time to live)</li>
 *   <li>{@code billing.events.delivered}, {@code billing.events.failed}: billing events handed to the application's
 *       listeners, and deliveries a listener refused (retried later); {@code billing.events.runs} (timer),
 *       {@code billing.events.failures} {@code exception}: delivery runs, and those that failed as a whole</li>
 *   <li>{@code billing.recharges} {@code outcome=paid|declined|needs_action|skipped}: auto-recharges the worker
 *       acted on; {@code billing.recharge.runs} (timer), {@code billing.recharge.failures} {@code exception}</li>
 * </ul>
 * Purchases, tokens and webhooks are counted from billing-core's {@link dev.tokenbilling.hook.BillingListener}
 * calls, so every instance counts exactly the changes it committed; nothing is read from the text of
 * outcomes.
 */
public class MicrometerBillingMetrics implements BillingMetrics {

    private final MeterRegistry registry;

    public MicrometerBillingMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    // ---- billing-core's listener calls -----------------------------------------------------------

    @Override
    public void purchaseStarted(Purchase purchase) {
        counter(
                        "billing.purchases.started",
                        "Purchases whose PaymentIntent was created",
                        "package",
                        purchase.packageSlug())
                .increment();
    }

    @Override
    public void purchaseCompleted(Purchase purchase, LedgerEntry credit) {
        counter("billing.purchases.completed", "Purchases completed and credited", "package", purchase.packageSlug())
                .increment();
    }

    @Override
    public void purchaseFailed(Purchase purchase) {
        failed("payment", purchase.failureCode().filter(code -> !code.isBlank()).orElse("payment_failed"));
    }

    @Override
    public void tokensCredited(LedgerEntry entry) {
        tokens("billing.tokens.credited", "Tokens credited to users, by ledger entry kind", entry);
    }

    @Override
    public void tokensDebited(LedgerEntry entry) {
        tokens("billing.tokens.debited", "Tokens debited from users, by ledger entry kind", entry);
    }

    @Override
    public void subscriptionChanged(Subscription subscription) {
        counter(
                        "billing.subscriptions.changed",
                        "Subscription changes stored, by the status they left",
                        "status",
                        subscription.status().wireName(),
                        "tier",
                        subscription.tierSlug())
                .increment();
    }

    @Override
    public void allowanceGranted(LedgerEntry entry) {
        long tokens = Math.abs(entry.amount());
        if (tokens > 0) {
            counter("billing.allowance.granted", "Tokens granted as subscription tier allowances")
                    .increment(tokens);
        }
    }

    @Override
    public void webhookHandled(WebhookOutcome outcome, Duration elapsed) {
        String status = outcome.status().name().toLowerCase(Locale.ROOT);
        counter(
                        "billing.webhook.deliveries",
                        "Stripe webhook deliveries by outcome",
                        "outcome",
                        status,
                        "type",
                        outcome.eventType().orElse("none"))
                .increment();
        Timer.builder("billing.webhook.latency")
                .description("Time to verify, store and process one Stripe webhook delivery")
                .tag("outcome", status)
                .register(registry)
                .record(elapsed);
    }

    // ---- what only the starter sees ----------------------------------------------------------------

    @Override
    public void purchaseStartFailed(String packageSlug, String reason) {
        failed("start", reason);
    }

    @Override
    public void reconcilerRan(ReconcileReport report, Duration elapsed) {
        Timer.builder("billing.reconciler.runs")
                .description("Reconciler runs")
                .register(registry)
                .record(elapsed);
    }

    @Override
    public void reconcilerFailed(Throwable error) {
        jobFailed("reconcile", error);
    }

    @Override
    public void missedEventsFetched(MissedEventsReport report, Duration elapsed) {
        Timer.builder("billing.reconciler.fetches")
                .description("Fetches of recent events from Stripe's API")
                .register(registry)
                .record(elapsed);
        for (WebhookOutcome outcome : report.processed()) {
            counter(
                            "billing.reconciler.missed.events",
                            "Events fetched from Stripe's API that no webhook had brought",
                            "outcome",
                            outcome.status().name().toLowerCase(Locale.ROOT))
                    .increment();
        }
    }

    @Override
    public void missedEventsFetchFailed(Throwable error) {
        jobFailed("fetch_missed_events", error);
    }

    @Override
    public void expiryRan(ExpiryReport report, Duration elapsed) {
        Timer.builder("billing.expiry.runs")
                .description("Expiry runs")
                .register(registry)
                .record(elapsed);
        // Registered even at zero, so that dashboards see the series before the first expiry.
        counter("billing.tokens.expired", "Tokens that lapsed and left balances")
                .increment(report.tokensExpired());
        counter("billing.lots.expired", "Credit lots that lapsed with tokens left")
                .increment(report.lotsExpired());
        counter("billing.holds.expired", "Holds released because their time to live passed")
                .increment(report.reservationsReleased());
    }

    @Override
    public void expiryFailed(Throwable error) {
        counter(
                        "billing.expiry.failures",
                        "Expiry runs that failed as a whole",
                        "exception",
                        error.getClass().getSimpleName())
                .increment();
    }

    @Override
    public void eventsDelivered(DeliveryReport report, Duration elapsed) {
        Timer.builder("billing.events.runs")
                .description("Billing event delivery runs")
                .register(registry)
                .record(elapsed);
        // Registered even at zero, so that dashboards see the series before the first event.
        counter("billing.events.delivered", "Billing events delivered to the application's listeners")
                .increment(report.delivered());
        counter("billing.events.failed", "Billing event deliveries a listener refused, retried later")
                .increment(report.failed());
    }

    @Override
    public void eventDeliveryFailed(Throwable error) {
        counter(
                        "billing.events.failures",
                        "Billing event delivery runs that failed as a whole",
                        "exception",
                        error.getClass().getSimpleName())
                .increment();
    }

    @Override
    public void rechargesRan(RechargeRunReport report, Duration elapsed) {
        Timer.builder("billing.recharge.runs")
                .description("Auto-recharge runs")
                .register(registry)
                .record(elapsed);
        recharges("paid", report.paid());
        recharges("declined", report.declined());
        recharges("needs_action", report.needsAction());
        recharges("skipped", report.skipped());
    }

    @Override
    public void rechargeFailed(Throwable error) {
        counter(
                        "billing.recharge.failures",
                        "Auto-recharge runs that failed as a whole",
                        "exception",
                        error.getClass().getSimpleName())
                .increment();
    }

    private void recharges(String outcome, int count) {
        counter("billing.recharges", "Auto-recharges the worker acted on, by outcome", "outcome", outcome)
                .increment(count);
    }

    private void failed(String stage, String reason) {
        counter(
                        "billing.purchases.failed",
                        "Purchases that could not start, and failed payment attempts",
                        "stage",
                        stage,
                        "reason",
                        reason)
                .increment();
    }

    private void jobFailed(String job, Throwable error) {
        counter(
                        "billing.reconciler.failures",
                        "Reconciler runs that failed as a whole",
                        "job",
                        job,
                        "exception",
                        error.getClass().getSimpleName())
                .increment();
    }

    private void tokens(String name, String description, LedgerEntry entry) {
        long tokens = Math.abs(entry.amount());
        if (tokens > 0) {
            counter(name, description, "kind", entry.kind().wireName()).increment(tokens);
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }
}
