package dev.tokenbilling.reconcile;

import dev.tokenbilling.InvalidRequestException;
import dev.tokenbilling.PaymentProviderException;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.EventFailure;
import dev.tokenbilling.spi.BillingListener;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.internal.webhook.EventDispatcher;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.spi.BillingStore;
import dev.tokenbilling.spi.PaymentGateway;
import dev.tokenbilling.spi.PaymentIntentSnapshot;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Repairs what webhooks missed ("retry stuck purchases"): asks Stripe about open purchases that are
 * older than a threshold and applies the same transition code as the webhook; cancels purchases
 * abandoned for longer than {@link #DEFAULT_ABANDON_AFTER}; re-processes failed stored events with
 * back-off; and fetches events Stripe could not deliver. Safe to run on many instances at once:
 * purchases and events are leased with {@code FOR UPDATE SKIP LOCKED}.
 */
public final class Reconciler {

    public static final Duration DEFAULT_ABANDON_AFTER = Duration.ofDays(3);
    public static final Duration DEFAULT_CHECK_BACKOFF = Duration.ofMinutes(1);
    public static final Duration MAX_CHECK_BACKOFF = Duration.ofHours(6);
    public static final int DEFAULT_MAX_EVENT_ATTEMPTS = 10;
    /** Stripe keeps events for 30 days. */
    public static final Duration MAX_EVENT_LOOKBACK = Duration.ofDays(30);

    private final BillingStore store;
    private final PaymentGateway gateway;
    private final PurchaseTransitions transitions;
    private final WebhookProcessor webhooks;
    private final Clock clock;
    private final Duration abandonAfter;
    private final int maxEventAttempts;
    private final List<BillingListener> listeners;

    public Reconciler(BillingStore store, PaymentGateway gateway, PurchaseTransitions transitions, WebhookProcessor webhooks, Clock clock,
            Duration abandonAfter, int maxEventAttempts, List<BillingListener> listeners) {
        this.store = store;
        this.gateway = gateway;
        this.transitions = transitions;
        this.webhooks = webhooks;
        this.clock = clock;
        this.abandonAfter = abandonAfter;
        this.maxEventAttempts = maxEventAttempts;
        this.listeners = List.copyOf(listeners);
    }

    /** Checks up to {@code limit} stuck purchases older than {@code olderThan}, then retries due failed events. */
    public ReconcileReport run(Duration olderThan, int limit) {
        return new ReconcileReport(reconcilePurchases(olderThan, limit), retryFailedEvents(limit));
    }

    /** Leases and checks stuck purchases; each one's next check backs off exponentially. */
    public List<PurchaseCheck> reconcilePurchases(Duration olderThan, int limit) {
        validate(olderThan, limit);
        Instant now = clock.instant();
        List<PurchaseCheck> checks = new ArrayList<>();
        for (Purchase purchase : store.purchases().leaseStuck(now.minus(olderThan), now, limit, DEFAULT_CHECK_BACKOFF, MAX_CHECK_BACKOFF)) {
            checks.add(check(purchase));
        }
        return checks;
    }

    /** What {@link #reconcilePurchases} would look at, without asking Stripe or changing anything. */
    public List<Purchase> stuckPurchases(Duration olderThan, int limit) {
        validate(olderThan, limit);
        return store.purchases().find(new PurchaseQuery(PurchaseStatus.OPEN, Optional.empty(),
                Optional.of(clock.instant().minus(olderThan)), limit));
    }

    private PurchaseCheck check(Purchase purchase) {
        boolean abandoned = purchase.createdAt().isBefore(clock.instant().minus(abandonAfter));
        try {
            if (purchase.paymentIntentId().isEmpty()) {
                return abandoned ? cancelWithoutIntent(purchase) : result(purchase, "waiting: no PaymentIntent yet", false);
            }
            PaymentIntentSnapshot intent = gateway.retrievePaymentIntent(purchase.paymentIntentId().get());
            if (abandoned && cancelable(intent.status())) {
                intent = gateway.cancelPaymentIntent(intent.id());
            }
            PaymentIntentSnapshot snapshot = intent;
            AfterCommit after = new AfterCommit();
            String action = store.inTransaction(tx -> transitions.applyPaymentIntent(tx, purchase.id(), snapshot, after));
            after.fire(listeners);
            return result(purchase, (abandoned ? "abandoned; " : "") + "PaymentIntent " + snapshot.status() + ": " + action, false);
        } catch (PaymentProviderException e) {
            return result(purchase, "Stripe: " + e.getMessage(), true);
        } catch (EventFailure e) {
            return result(purchase, e.getMessage(), true);
        }
    }

    private PurchaseCheck cancelWithoutIntent(Purchase purchase) {
        store.purchases().transition(purchase.id(), PurchaseStatus.OPEN, PurchaseStatus.CANCELED, purchase.failureCode(),
                purchase.failureMessage(), clock.instant());
        return result(purchase, "canceled: abandoned before a PaymentIntent was created", false);
    }

    private PurchaseCheck result(Purchase before, String action, boolean error) {
        PurchaseStatus after = store.purchases().findById(before.id()).map(Purchase::status).orElse(before.status());
        return new PurchaseCheck(before.id(), before.paymentIntentId(), before.status(), after, action, error);
    }

    private static boolean cancelable(String status) {
        return Set.of("requires_payment_method", "requires_confirmation", "requires_action", "requires_capture").contains(status);
    }

    /** Re-processes failed events whose next attempt is due, up to the attempt limit. */
    public List<WebhookOutcome> retryFailedEvents(int limit) {
        validate(Duration.ZERO, limit);
        List<WebhookOutcome> outcomes = new ArrayList<>();
        for (WebhookEventRecord event : store.webhookEvents().leaseRetryable(clock.instant(), maxEventAttempts, limit, Duration.ofMinutes(5))) {
            outcomes.add(webhooks.process(event.id()));
        }
        return outcomes;
    }

    /** Fetches the events of the last {@code since} (at most 30 days) from Stripe and processes those not stored yet. */
    public MissedEventsReport fetchMissedEvents(Duration since) {
        if (since.isNegative() || since.isZero() || since.compareTo(MAX_EVENT_LOOKBACK) > 0) {
            throw new InvalidRequestException("since", "must be between 1 second and 30 days (Stripe keeps events for 30 days), was " + since);
        }
        List<String> events = gateway.listEvents(clock.instant().minus(since), EventDispatcher.HANDLED_TYPES);
        List<String> ids = events.stream().map(json -> StripeJson.parse(json).path("id").asText()).toList();
        Set<String> stored = store.webhookEvents().storedIds(ids);
        List<WebhookOutcome> processed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (!stored.contains(ids.get(i))) {
                processed.add(webhooks.ingest(events.get(i)));
            }
        }
        return new MissedEventsReport(events.size(), stored.size(), processed);
    }

    private static void validate(Duration olderThan, int limit) {
        if (olderThan.isNegative()) {
            throw new InvalidRequestException("olderThan", "must not be negative, was " + olderThan);
        }
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
    }
}
