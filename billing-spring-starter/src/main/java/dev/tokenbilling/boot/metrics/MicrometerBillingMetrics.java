package dev.tokenbilling.boot.metrics;

import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.webhook.WebhookOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link BillingMetrics} on Micrometer. Meters (all counters unless noted):
 * <ul>
 *   <li>{@code billing.purchases.started} {@code package}: PaymentIntents created through the REST API</li>
 *   <li>{@code billing.purchases.completed} {@code source=webhook|reconciler}: purchases completed and credited</li>
 *   <li>{@code billing.purchases.failed} {@code stage=start|payment}, {@code reason}: purchases that could not start
 *       (unknown package, Stripe down...) or whose payment failed (card declined...)</li>
 *   <li>{@code billing.tokens.credited} {@code kind=purchase|dispute_reversal}, {@code source}</li>
 *   <li>{@code billing.tokens.debited} {@code kind=refund|dispute}, {@code source}</li>
 *   <li>{@code billing.webhook.deliveries} {@code outcome}, {@code type}: webhook deliveries by outcome</li>
 *   <li>{@code billing.webhook.latency} (timer) {@code outcome}: time to verify, store and process a delivery</li>
 *   <li>{@code billing.reconciler.runs} (timer), {@code billing.reconciler.failures}</li>
 * </ul>
 * Credits and debits are those seen by the webhook endpoint and the reconciler of this instance;
 * usage debits made by the application through {@code TokenBillingService.consume} are not counted
 * here (the core library has no listener for ledger postings yet).
 */
public class MicrometerBillingMetrics implements BillingMetrics {

    private static final Pattern CREDITED = Pattern.compile("completed: (\\d+) tokens credited");
    private static final Pattern REVERSED = Pattern.compile("(refunded|partially_refunded|disputed): (\\d+) tokens reversed");
    private static final Pattern REINSTATED = Pattern.compile("dispute won, (\\d+) tokens reinstated");
    private static final Pattern FAILED = Pattern.compile("now failed(?: \\(([a-z0-9_]+)\\))?");

    private final MeterRegistry registry;

    public MicrometerBillingMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void purchaseStarted(String packageSlug) {
        counter("billing.purchases.started", "PaymentIntents created for token purchases", "package", packageSlug).increment();
    }

    @Override
    public void purchaseStartFailed(String packageSlug, String reason) {
        counter("billing.purchases.failed", "Purchases that could not start or whose payment failed", "stage", "start", "reason", reason)
                .increment();
    }

    @Override
    public void webhookHandled(WebhookOutcome outcome, Duration elapsed) {
        String status = outcome.status().name().toLowerCase(Locale.ROOT);
        counter("billing.webhook.deliveries", "Stripe webhook deliveries by outcome", "outcome", status, "type",
                outcome.eventType().orElse("none")).increment();
        Timer.builder("billing.webhook.latency").description("Time to verify, store and process one Stripe webhook delivery")
                .tag("outcome", status).register(registry).record(elapsed);
        if (outcome.status() == WebhookOutcome.Status.PROCESSED) {
            ledgerEffects(outcome.reason(), "webhook");
        }
    }

    @Override
    public void reconcilerRan(ReconcileReport report, Duration elapsed) {
        Timer.builder("billing.reconciler.runs").description("Reconciler runs").register(registry).record(elapsed);
        for (PurchaseCheck check : report.purchases()) {
            if (!check.error()) {
                ledgerEffects(check.action(), "reconciler");
            }
        }
        for (WebhookOutcome outcome : report.events()) {
            if (outcome.status() == WebhookOutcome.Status.PROCESSED) {
                ledgerEffects(outcome.reason(), "reconciler");
            }
        }
    }

    @Override
    public void reconcilerFailed(Throwable error) {
        counter("billing.reconciler.failures", "Reconciler runs that failed as a whole", "exception", error.getClass().getSimpleName())
                .increment();
    }

    /** Reads what a transition did from the core's description of it ("completed: 500000 tokens credited"). */
    private void ledgerEffects(String description, String source) {
        if (description == null) {
            return;
        }
        Matcher credited = CREDITED.matcher(description);
        if (credited.find()) {
            counter("billing.purchases.completed", "Purchases completed and credited", "source", source).increment();
            tokens("billing.tokens.credited", "purchase", source, credited.group(1));
            return;
        }
        Matcher reversed = REVERSED.matcher(description);
        if (reversed.find()) {
            tokens("billing.tokens.debited", reversed.group(1).equals("disputed") ? "dispute" : "refund", source, reversed.group(2));
            return;
        }
        Matcher reinstated = REINSTATED.matcher(description);
        if (reinstated.find()) {
            tokens("billing.tokens.credited", "dispute_reversal", source, reinstated.group(1));
            return;
        }
        Matcher failed = FAILED.matcher(description);
        if (failed.find()) {
            counter("billing.purchases.failed", "Purchases that could not start or whose payment failed", "stage", "payment", "reason",
                    failed.group(1) == null ? "payment_failed" : failed.group(1)).increment();
        }
    }

    private void tokens(String name, String kind, String source, String amount) {
        long tokens = Long.parseLong(amount);
        if (tokens > 0) {
            counter(name, name.endsWith("credited") ? "Tokens credited to users" : "Tokens taken back from users", "kind", kind,
                    "source", source).increment(tokens);
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }
}
