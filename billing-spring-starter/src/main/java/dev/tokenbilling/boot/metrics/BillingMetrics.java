package dev.tokenbilling.boot.metrics;

import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;

/**
 * What the starter's web layer and reconciler report as they work. The Micrometer implementation
 * ({@link MicrometerBillingMetrics}) is configured when Micrometer and a {@code MeterRegistry} are
 * present; otherwise {@link #NONE} is used. Hosts may declare their own bean.
 */
public interface BillingMetrics {

    /** Records nothing. */
    BillingMetrics NONE = new BillingMetrics() {
    };

    /** A purchase was started: a PaymentIntent exists for it. */
    default void purchaseStarted(String packageSlug) {
    }

    /** Starting a purchase failed; {@code reason} is a short code ({@code unknown_package}, {@code stripe_unreachable}...). */
    default void purchaseStartFailed(String packageSlug, String reason) {
    }

    /** One webhook delivery was handled, with its outcome and how long handling took. */
    default void webhookHandled(WebhookOutcome outcome, Duration elapsed) {
    }

    /** One reconciler run finished. */
    default void reconcilerRan(ReconcileReport report, Duration elapsed) {
    }

    /** One reconciler run failed as a whole (e.g. the database was unreachable). */
    default void reconcilerFailed(Throwable error) {
    }
}
