package dev.tokenbilling.internal.reconcile;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.EventFailure;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.internal.subscription.SubscriptionEvents;
import dev.tokenbilling.internal.webhook.EventDispatcher;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.reconcile.SubscriptionCheck;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The reconciler over the store and the payment gateway, with the webhook processor for events. */
public final class DefaultReconciler implements Reconciler {

    private final BillingStore store;
    private final PaymentGateway gateway;
    private final PurchaseTransitions transitions;
    private final WebhookProcessor webhooks;
    private final Clock clock;
    private final Supplier<Duration> abandonAfter;
    private final int maxEventAttempts;
    private final List<BillingListener> listeners;
    private final SubscriptionEvents subscriptionEvents;

    public DefaultReconciler(
            BillingStore store,
            PaymentGateway gateway,
            PurchaseTransitions transitions,
            WebhookProcessor webhooks,
            Clock clock,
            Supplier<Duration> abandonAfter,
            int maxEventAttempts,
            List<BillingListener> listeners,
            SubscriptionEvents subscriptionEvents) {
        this.subscriptionEvents = subscriptionEvents;
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
    @Override
    public ReconcileReport run(Duration olderThan, int limit) {
        return new ReconcileReport(
                reconcilePurchases(olderThan, limit), retryFailedEvents(limit), reconcileSubscriptions(limit));
    }

    /** Invoices per subscription looked at: the current period's and a few before it. */
    private static final int RECENT_INVOICES = 3;

    @Override
    public List<SubscriptionCheck> reconcileSubscriptions(int limit) {
        validate(Duration.ZERO, limit);
        List<SubscriptionCheck> checks = new ArrayList<>();
        for (Subscription subscription : store.subscriptions().listStalest(limit)) {
            checks.add(check(subscription));
        }
        return checks;
    }

    private SubscriptionCheck check(Subscription before) {
        try {
            String json = gateway.retrieveSubscription(before.stripeSubscriptionId());
            List<String> invoices = gateway.listPaidInvoices(before.stripeSubscriptionId(), RECENT_INVOICES);
            AfterCommit after = new AfterCommit();
            List<String> granted = new ArrayList<>();
            Subscription now = store.inTransaction(tx -> {
                subscriptionEvents.applySubscription(tx, StripeJson.parse(json), clock.instant(), after);
                for (String invoice : invoices) {
                    SubscriptionEvents.Handled handled =
                            subscriptionEvents.applyPaidInvoice(tx, StripeJson.parse(invoice), after);
                    if (!handled.ignored() && handled.description().startsWith("granted")) {
                        granted.add(handled.description());
                    }
                }
                return tx.subscriptions()
                        .find(before.userId(), before.stripeSubscriptionId())
                        .orElse(before);
            });
            after.fire(listeners);
            return new SubscriptionCheck(
                    before.userId(),
                    before.stripeSubscriptionId(),
                    before.status(),
                    now.status(),
                    granted,
                    Optional.empty());
        } catch (PaymentProviderException e) {
            return failed(before, "Stripe: " + e.getMessage());
        } catch (BillingException | EventFailure e) {
            return failed(before, e.getMessage());
        }
    }

    private static SubscriptionCheck failed(Subscription subscription, String why) {
        return new SubscriptionCheck(
                subscription.userId(),
                subscription.stripeSubscriptionId(),
                subscription.status(),
                subscription.status(),
                List.of(),
                Optional.of(why));
    }

    /** Leases and checks stuck purchases; each one's next check backs off exponentially. */
    @Override
    public List<PurchaseCheck> reconcilePurchases(Duration olderThan, int limit) {
        validate(olderThan, limit);
        Instant now = clock.instant();
        List<PurchaseCheck> checks = new ArrayList<>();
        for (Purchase purchase : store.purchases()
                .leaseStuck(now.minus(olderThan), now, limit, DEFAULT_CHECK_BACKOFF, MAX_CHECK_BACKOFF)) {
            checks.add(check(purchase));
        }
        return checks;
    }

    /** What {@link #reconcilePurchases} would look at, without asking Stripe or changing anything. */
    @Override
    public List<Purchase> stuckPurchases(Duration olderThan, int limit) {
        validate(olderThan, limit);
        return store.purchases()
                .find(new PurchaseQuery(
                        PurchaseStatus.OPEN,
                        Optional.empty(),
                        Optional.of(clock.instant().minus(olderThan)),
                        limit));
    }

    private PurchaseCheck check(Purchase purchase) {
        boolean abandoned = purchase.createdAt().isBefore(clock.instant().minus(abandonAfter.get()));
        try {
            if (purchase.paymentIntentId().isEmpty()) {
                return abandoned ? cancelWithoutIntent(purchase) : result(purchase, new PurchaseCheck.Waiting());
            }
            PaymentIntentSnapshot intent =
                    gateway.retrievePaymentIntent(purchase.paymentIntentId().get());
            if (abandoned && cancelable(intent.status())) {
                intent = gateway.cancelPaymentIntent(intent.id());
            }
            PaymentIntentSnapshot snapshot = intent;
            AfterCommit after = new AfterCommit();
            PurchaseTransition transition =
                    store.inTransaction(tx -> transitions.applyPaymentIntent(tx, purchase.id(), snapshot, after));
            after.fire(listeners);
            return result(purchase, new PurchaseCheck.Applied(snapshot.status(), abandoned, transition));
        } catch (PaymentProviderException e) {
            return result(
                    purchase, new PurchaseCheck.Failed(e.code(), Optional.of(e.reason()), "Stripe: " + e.getMessage()));
        } catch (BillingException e) {
            return result(purchase, new PurchaseCheck.Failed(e.code(), Optional.empty(), e.getMessage()));
        } catch (EventFailure e) {
            return result(
                    purchase, new PurchaseCheck.Failed(BillingError.INVALID_REQUEST, Optional.empty(), e.getMessage()));
        }
    }

    private PurchaseCheck cancelWithoutIntent(Purchase purchase) {
        store.purchases()
                .transition(
                        purchase.id(),
                        PurchaseStatus.OPEN,
                        PurchaseStatus.CANCELED,
                        purchase.failureCode(),
                        purchase.failureMessage(),
                        clock.instant());
        return result(purchase, new PurchaseCheck.Canceled());
    }

    private PurchaseCheck result(Purchase before, PurchaseCheck.Result result) {
        PurchaseStatus after =
                store.purchases().findById(before.id()).map(Purchase::status).orElse(before.status());
        return new PurchaseCheck(before.id(), before.paymentIntentId(), before.status(), after, result);
    }

    private static boolean cancelable(String status) {
        return Set.of("requires_payment_method", "requires_confirmation", "requires_action", "requires_capture")
                .contains(status);
    }

    /** Re-processes failed events whose next attempt is due, up to the attempt limit. */
    @Override
    public List<WebhookOutcome> retryFailedEvents(int limit) {
        validate(Duration.ZERO, limit);
        List<WebhookOutcome> outcomes = new ArrayList<>();
        for (WebhookEventRecord event :
                store.webhookEvents().leaseRetryable(clock.instant(), maxEventAttempts, limit, Duration.ofMinutes(5))) {
            outcomes.add(webhooks.retry(event.id()));
        }
        return outcomes;
    }

    /** Fetches the events of the last {@code since} (at most 30 days) from Stripe and processes those not stored yet. */
    @Override
    public MissedEventsReport fetchMissedEvents(Duration since) {
        if (since.isNegative() || since.isZero() || since.compareTo(MAX_EVENT_LOOKBACK) > 0) {
            throw new InvalidRequestException(
                    "since", "must be between 1 second and 30 days (Stripe keeps events for 30 days), was " + since);
        }
        List<String> events = gateway.listEvents(clock.instant().minus(since), EventDispatcher.HANDLED_TYPES);
        List<String> ids = events.stream()
                .map(json -> StripeJson.parse(json).path("id").asText())
                .toList();
        Set<String> stored = store.webhookEvents().storedIds(ids);
        List<WebhookOutcome> processed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (!stored.contains(ids.get(i))) {
                processed.add(webhooks.ingestUnsigned(events.get(i)));
            }
        }
        return new MissedEventsReport(events.size(), stored.size(), processed);
    }

    private static void validate(Duration olderThan, int limit) {
        if (olderThan.isNegative()) {
            throw new InvalidRequestException("olderThan", "must not be negative, was " + olderThan);
        }
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw new InvalidRequestException(
                    "limit", "must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
    }
}
