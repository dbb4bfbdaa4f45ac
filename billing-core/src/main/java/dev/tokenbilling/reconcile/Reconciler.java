package dev.tokenbilling.reconcile;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;

/**
 * Repairs what webhooks missed: asks Stripe about open purchases older than a threshold and applies
 * the same transition code as the webhook; cancels purchases abandoned for longer than the
 * configured time; re-processes failed or unfinished stored events with back-off; fetches events
 * Stripe could not deliver. Safe on many instances at once: purchases and events are leased with
 * {@code FOR UPDATE SKIP LOCKED}. Get it from {@code TokenBilling.reconciler()}; schedule {@link #run}.
 */
public interface Reconciler {

    Duration DEFAULT_ABANDON_AFTER = Duration.ofDays(3);
    Duration DEFAULT_CHECK_BACKOFF = Duration.ofMinutes(1);
    Duration MAX_CHECK_BACKOFF = Duration.ofHours(6);
    int DEFAULT_MAX_EVENT_ATTEMPTS = 10;
    /** Stripe keeps events for 30 days. */
    Duration MAX_EVENT_LOOKBACK = Duration.ofDays(30);

    /**
     * Checks up to {@code limit} stuck purchases older than {@code olderThan}, retries due events,
     * then refreshes up to {@code limit} subscriptions from Stripe ({@link #reconcileSubscriptions}).
     */
    ReconcileReport run(Duration olderThan, int limit);

    /**
     * Refreshes the {@code limit} subscriptions taken from Stripe longest ago: stores their state as
     * Stripe has it now, and grants the allowance of each recent paid invoice whose event never
     * arrived (once: a later event finds it granted).
     */
    List<SubscriptionCheck> reconcileSubscriptions(int limit);

    /** Leases and checks stuck purchases; each one's next check backs off exponentially. */
    List<PurchaseCheck> reconcilePurchases(Duration olderThan, int limit);

    /** What {@link #reconcilePurchases} would look at, without asking Stripe or changing anything. */
    List<Purchase> stuckPurchases(Duration olderThan, int limit);

    /** Re-processes stored events whose next attempt is due (failed ones, and ones a crash left unprocessed), up to the attempt limit. */
    List<WebhookOutcome> retryFailedEvents(int limit);

    /** Fetches the events of the last {@code since} (at most 30 days) from Stripe and processes those not stored yet. */
    MissedEventsReport fetchMissedEvents(Duration since);
}
