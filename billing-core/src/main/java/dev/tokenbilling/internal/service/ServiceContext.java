package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.hook.StripeCustomerResolver;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.outbox.EventDelivery;
import dev.tokenbilling.internal.subscription.Allowances;
import dev.tokenbilling.internal.subscription.SubscriptionEvents;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.store.BillingStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** What the domain services share: the store, the clock, the gateway (when payments are configured) and the listeners. */
public record ServiceContext(
        BillingStore store,
        Clock clock,
        Optional<PaymentGateway> gateway,
        StripeCustomerResolver customers,
        PurchaseTransitions transitions,
        List<BillingListener> listeners,
        int maxOpenPurchasesPerUser,
        Allowances allowances,
        SubscriptionEvents subscriptionEvents,
        EventDelivery eventDelivery) {

    public ServiceContext {
        listeners = List.copyOf(listeners);
    }

    /** The gateway, or the one error every payment call gives without Stripe settings. */
    public PaymentGateway requireGateway() {
        return gateway.orElseThrow(ServiceContext::paymentsNotConfigured);
    }

    public static BillingException paymentsNotConfigured() {
        return new BillingException(
                BillingError.PAYMENTS_NOT_CONFIGURED,
                "Payments are not configured: build TokenBilling with .stripe(StripeApi) (STRIPE_SECRET_KEY)");
    }

    void notify(Consumer<BillingListener> notification) {
        if (!listeners.isEmpty()) {
            AfterCommit.notifyAll(listeners, notification);
        }
    }

    void credited(LedgerEntry entry) {
        notify(listener -> listener.tokensCredited(entry));
    }

    void debited(LedgerEntry entry) {
        notify(listener -> listener.tokensDebited(entry));
    }

    /** The user's Stripe customer as known: the host's resolver's, else the one the library recorded. */
    Optional<String> knownCustomer(UserId userId) {
        return customers.customerFor(userId).or(() -> store.subscriptions().customerOf(userId));
    }

    /** The user's Stripe customer, created on first use and recorded once (racing callers share the first). */
    String stripeCustomer(UserId userId, PaymentGateway payments) {
        Optional<String> known = knownCustomer(userId);
        if (known.isPresent()) {
            return known.get();
        }
        String created = payments.createCustomer(userId, "tb-customer-" + userId.value());
        return store.subscriptions().saveCustomer(userId, created, clock.instant());
    }
}
