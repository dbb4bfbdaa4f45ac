package dev.tokenbilling.hook;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;

/**
 * A host's hook into what the library did, for metrics, e-mails or cache eviction. Called after the
 * change committed, on the thread that made it; an exception thrown here is logged and never undoes
 * or fails the billing operation. Keep it quick, or hand the work to another thread.
 */
public interface BillingListener {

    /** A purchase was recorded and its PaymentIntent created. */
    default void purchaseStarted(Purchase purchase) {}

    /** A purchase completed and its tokens were credited by {@code credit}. */
    default void purchaseCompleted(Purchase purchase, LedgerEntry credit) {}

    /** A payment attempt of the purchase failed (it may still succeed with another card). */
    default void purchaseFailed(Purchase purchase) {}

    /** Tokens were credited: purchases, grants, positive adjustments, won disputes. */
    default void tokensCredited(LedgerEntry entry) {}

    /** Tokens were debited: usage, settled holds, negative adjustments, refunds, disputes, expiry, voids. */
    default void tokensDebited(LedgerEntry entry) {}

    /** A subscription's state changed (created, renewed, upgraded, past due, canceled...), as now stored. */
    default void subscriptionChanged(Subscription subscription) {}

    /** A tier's allowance was granted ({@code entry} is of kind {@code ALLOWANCE}); also reported as a credit. */
    default void allowanceGranted(LedgerEntry entry) {}

    /** A webhook delivery was answered with {@code outcome} after {@code elapsed}. */
    default void webhookHandled(WebhookOutcome outcome, Duration elapsed) {}
}
