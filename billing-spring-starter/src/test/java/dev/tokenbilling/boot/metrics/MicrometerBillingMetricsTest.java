package dev.tokenbilling.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookOutcome.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MicrometerBillingMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerBillingMetrics metrics = new MicrometerBillingMetrics(registry);

    @Test
    void shouldCountWebhookOutcomesAndTheirLatency() {
        metrics.webhookHandled(outcome(Status.PROCESSED, "completed: 500000 tokens credited", "payment_intent.succeeded"), Duration.ofMillis(12));
        metrics.webhookHandled(outcome(Status.DUPLICATE, "already processed", "payment_intent.succeeded"), Duration.ofMillis(2));
        metrics.webhookHandled(new WebhookOutcome(Status.REJECTED, "Invalid signature", Optional.empty(), Optional.empty()), Duration.ofMillis(1));

        assertThat(registry.get("billing.webhook.deliveries").tags("outcome", "processed", "type", "payment_intent.succeeded").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("billing.webhook.deliveries").tags("outcome", "rejected", "type", "none").counter().count()).isEqualTo(1);
        assertThat(registry.get("billing.webhook.latency").tag("outcome", "processed").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(12);
        assertThat(registry.get("billing.purchases.completed").tag("source", "webhook").counter().count()).isEqualTo(1);
        assertThat(registry.get("billing.tokens.credited").tags("kind", "purchase", "source", "webhook").counter().count()).isEqualTo(500_000);
    }

    @Test
    void shouldCountTokensTakenBackAndGivenBack() {
        metrics.webhookHandled(outcome(Status.PROCESSED, "partially_refunded: 250000 tokens reversed", "charge.refunded"), Duration.ZERO);
        metrics.webhookHandled(outcome(Status.PROCESSED, "disputed: 1000 tokens reversed, 10 already spent", "charge.dispute.created"),
                Duration.ZERO);
        metrics.webhookHandled(outcome(Status.PROCESSED, "completed: dispute won, 1000 tokens reinstated", "charge.dispute.closed"),
                Duration.ZERO);

        assertThat(registry.get("billing.tokens.debited").tags("kind", "refund").counter().count()).isEqualTo(250_000);
        assertThat(registry.get("billing.tokens.debited").tags("kind", "dispute").counter().count()).isEqualTo(1000);
        assertThat(registry.get("billing.tokens.credited").tags("kind", "dispute_reversal").counter().count()).isEqualTo(1000);
        assertThat(registry.find("billing.purchases.completed").counter()).isNull();
    }

    @Test
    void shouldCountFailedPayments() {
        metrics.webhookHandled(outcome(Status.PROCESSED, "now failed (card_declined)", "payment_intent.payment_failed"), Duration.ZERO);
        metrics.purchaseStartFailed("booster-500k", "unknown_package");

        assertThat(registry.get("billing.purchases.failed").tags("stage", "payment", "reason", "card_declined").counter().count()).isEqualTo(1);
        assertThat(registry.get("billing.purchases.failed").tags("stage", "start", "reason", "unknown_package").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldCountWhatTheReconcilerRepaired() {
        ReconcileReport report = new ReconcileReport(List.of(
                new PurchaseCheck(1, Optional.of("pi_1"), PurchaseStatus.PENDING, PurchaseStatus.COMPLETED,
                        "PaymentIntent succeeded: completed: 100000 tokens credited", false),
                new PurchaseCheck(2, Optional.of("pi_2"), PurchaseStatus.PENDING, PurchaseStatus.PENDING, "Stripe: unreachable", true)),
                List.of());

        metrics.reconcilerRan(report, Duration.ofMillis(5));
        metrics.reconcilerFailed(new IllegalStateException("down"));

        assertThat(registry.get("billing.purchases.completed").tag("source", "reconciler").counter().count()).isEqualTo(1);
        assertThat(registry.get("billing.tokens.credited").tags("source", "reconciler").counter().count()).isEqualTo(100_000);
        assertThat(registry.get("billing.reconciler.runs").timer().count()).isEqualTo(1);
        assertThat(registry.get("billing.reconciler.failures").counter().count()).isEqualTo(1);
    }

    private static WebhookOutcome outcome(Status status, String reason, String type) {
        return new WebhookOutcome(status, reason, Optional.of("evt_1"), Optional.of(type));
    }
}
