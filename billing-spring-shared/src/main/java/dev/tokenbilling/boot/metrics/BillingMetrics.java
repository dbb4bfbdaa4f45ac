package dev.tokenbilling.boot.metrics;

import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.ReconcileReport;
import java.time.Duration;

/**
 * What Token Billing reports as it works. As a {@link BillingListener} it hears from billing-core
 * itself, after each change committed: purchases started, completed and failed, every token credit
 * and debit (usage from {@code ledger().debit}, settled holds, grants, refunds, disputes...) and every
 * webhook delivery, whoever made them (the webhook endpoint, the reconciler, the application's own
 * calls). The starter registers the bean with {@code TokenBilling.Builder.listener(...)}; an
 * application that builds {@code TokenBilling} itself registers it there.
 *
 * <p>The other methods report what only the starter sees: purchases that could not start, and the
 * runs of its scheduled jobs (reconciler, missed-event fetch, expiry, billing-event delivery,
 * auto-recharge).
 *
 * <p>The Micrometer implementation ({@link MicrometerBillingMetrics}) is configured when Micrometer
 * and a {@code MeterRegistry} are present; otherwise {@link #NONE} is used. Hosts may declare their
 * own bean.
 */
public interface BillingMetrics extends BillingListener {

    /** Records nothing. */
    BillingMetrics NONE = new BillingMetrics() {};

    /** Starting a purchase failed; {@code reason} is the API's error code ({@code unknown_package}, {@code payment_provider_unavailable}, ...). */
    default void purchaseStartFailed(String packageSlug, String reason) {}

    /** One reconciler run finished. */
    default void reconcilerRan(ReconcileReport report, Duration elapsed) {}

    /** One reconciler run failed as a whole (e.g. the database was unreachable). */
    default void reconcilerFailed(Throwable error) {}

    /** One fetch of events from Stripe's API finished; {@code report.processed()} are the events no webhook had brought. */
    default void missedEventsFetched(MissedEventsReport report, Duration elapsed) {}

    /** One fetch of missed events failed as a whole (Stripe or the database unreachable). */
    default void missedEventsFetchFailed(Throwable error) {}

    /** One expiry run finished: lapsed lots taken out of balances and lapsed holds released. */
    default void expiryRan(ExpiryReport report, Duration elapsed) {}

    /** One expiry run failed as a whole (e.g. the database was unreachable). */
    default void expiryFailed(Throwable error) {}

    /** One delivery of due billing events to the application's listeners finished. */
    default void eventsDelivered(DeliveryReport report, Duration elapsed) {}

    /** One delivery run failed as a whole (e.g. the database was unreachable). */
    default void eventDeliveryFailed(Throwable error) {}

    /** One auto-recharge run finished: recharges paid, declined, waiting for the user, skipped. */
    default void rechargesRan(RechargeRunReport report, Duration elapsed) {}

    /** One auto-recharge run failed as a whole (e.g. the database was unreachable). */
    default void rechargeFailed(Throwable error) {}
}
