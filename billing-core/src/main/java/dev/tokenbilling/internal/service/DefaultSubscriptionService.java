package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.Echo;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.UtcMonths;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.internal.subscription.Allowances;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.CheckoutRequest;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.service.SubscriptionService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

final class DefaultSubscriptionService implements SubscriptionService {

    private final ServiceContext context;

    DefaultSubscriptionService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public List<SubscriptionTier> tiers() {
        return context.store().tiers().list(false);
    }

    @Override
    public SubscriptionOverview overview(UserId userId) {
        Checks.notNull("userId", userId);
        grantFreeAllowance(userId);
        Optional<Subscription> latest = latest(userId);
        Optional<Subscription> held = latest.filter(s -> s.status().holdsTier());
        Optional<SubscriptionTier> tier =
                held.isPresent() ? context.store().tiers().findById(held.get().tierId()) : freeTier();
        long allowance = Allowances.openAllowance(context.store().ledger().lots(userId, true));
        Optional<Instant> resetsAt = held.isPresent()
                ? held.get().currentPeriodEnd()
                : tier.map(free -> UtcMonths.startOfNext(context.clock().instant()));
        return new SubscriptionOverview(userId, tier, latest, allowance, resetsAt);
    }

    @Override
    public List<Subscription> subscriptions(UserId userId) {
        return context.store().subscriptions().forUser(Checks.notNull("userId", userId));
    }

    @Override
    public CheckoutSession checkout(
            UserId userId, String tierSlug, BillingInterval interval, String successUrl, String cancelUrl) {
        Checks.notNull("userId", userId);
        Checks.notNull("interval", interval);
        Checks.webUrl("successUrl", successUrl);
        Checks.webUrl("cancelUrl", cancelUrl);
        PaymentGateway payments = context.requireGateway();
        SubscriptionTier tier = context.store()
                .tiers()
                .findBySlug(Checks.notNull("tierSlug", tierSlug))
                .orElseThrow(() -> new BillingException(
                        BillingError.UNKNOWN_TIER, "Unknown subscription tier '" + Echo.cap(tierSlug) + "'"));
        if (!tier.subscribable(interval)) {
            throw new BillingException(
                    BillingError.TIER_NOT_AVAILABLE,
                    "Tier '" + tier.slug() + "' cannot be subscribed to per " + interval.wireName() + ": "
                            + (!tier.active()
                                    ? "it is no longer on sale"
                                    : tier.free()
                                            ? "it is free"
                                            : tier.price(interval).isEmpty()
                                                    ? "it is not sold per " + interval.wireName()
                                                    : "it is not synced to Stripe yet"));
        }
        Optional<Subscription> current = latest(userId).filter(s -> !s.status().ended());
        if (current.isPresent() && current.get().status().holdsTier()) {
            throw new BillingException(
                    BillingError.ALREADY_SUBSCRIBED,
                    "User " + userId + " is already subscribed to '"
                            + current.get().tierSlug() + "': switch tiers in the customer portal");
        }
        String customer = context.stripeCustomer(userId, payments);
        CheckoutSession session = payments.createCheckoutSession(new CheckoutRequest(
                true,
                tier.stripePriceId(interval).orElseThrow(),
                customer,
                successUrl,
                cancelUrl,
                userId.value(),
                Map.of("user_id", userId.value(), "tier_slug", tier.slug()),
                "tb-checkout-" + UUID.randomUUID()));
        return session;
    }

    @Override
    public String portal(UserId userId, String returnUrl) {
        Checks.notNull("userId", userId);
        Checks.webUrl("returnUrl", returnUrl);
        PaymentGateway payments = context.requireGateway();
        String customer = context.knownCustomer(userId)
                .orElseThrow(() -> new BillingException(
                        BillingError.NO_SUBSCRIPTION, "User " + userId + " has no Stripe customer to manage yet"));
        return payments.createPortalSession(customer, returnUrl);
    }

    @Override
    public Subscription cancelAtPeriodEnd(UserId userId) {
        return setCancelAtPeriodEnd(userId, true);
    }

    @Override
    public Subscription resume(UserId userId) {
        return setCancelAtPeriodEnd(userId, false);
    }

    private Subscription setCancelAtPeriodEnd(UserId userId, boolean cancel) {
        Checks.notNull("userId", userId);
        PaymentGateway payments = context.requireGateway();
        Subscription current = latest(userId)
                .filter(s -> !s.status().ended())
                .orElseThrow(() -> new BillingException(
                        BillingError.NO_SUBSCRIPTION, "User " + userId + " has no current subscription"));
        String json = payments.setCancelAtPeriodEnd(current.stripeSubscriptionId(), cancel);
        return apply(userId, json);
    }

    @Override
    public Optional<LedgerEntry> grantFreeAllowance(UserId userId) {
        Checks.notNull("userId", userId);
        Optional<SubscriptionTier> free = freeTier();
        if (free.isEmpty() || latest(userId).filter(s -> s.status().holdsTier()).isPresent()) {
            return Optional.empty();
        }
        AfterCommit after = new AfterCommit();
        Optional<LedgerEntry> granted = context.store()
                .inTransaction(tx -> context.allowances()
                        .grantFree(tx, userId, free.get(), context.clock().instant(), after));
        after.fire(context.listeners());
        return granted;
    }

    @Override
    public List<Subscription> refresh(UserId userId) {
        Checks.notNull("userId", userId);
        PaymentGateway payments = context.requireGateway();
        List<Subscription> refreshed = new ArrayList<>();
        for (Subscription subscription : subscriptions(userId)) {
            if (!subscription.status().ended()) {
                refreshed.add(apply(userId, payments.retrieveSubscription(subscription.stripeSubscriptionId())));
            }
        }
        return refreshed;
    }

    /** Stores the subscription Stripe answered with, as seen now; returns the stored row. */
    private Subscription apply(UserId userId, String json) {
        AfterCommit after = new AfterCommit();
        String id = StripeJson.required(StripeJson.parse(json), "id");
        Subscription stored = context.store()
                .inTransaction(tx -> {
                    context.subscriptionEvents()
                            .applySubscription(
                                    tx, StripeJson.parse(json), context.clock().instant(), after);
                    return tx.subscriptions().find(userId, id);
                })
                .orElseThrow(() -> new BillingException(
                        BillingError.NO_SUBSCRIPTION,
                        "Subscription " + id + " is not one of user " + userId + "'s tiers"));
        after.fire(context.listeners());
        return stored;
    }

    private Optional<Subscription> latest(UserId userId) {
        return context.store().subscriptions().forUser(userId).stream().findFirst();
    }

    private Optional<SubscriptionTier> freeTier() {
        return context.store().tiers().list(false).stream()
                .filter(SubscriptionTier::free)
                .findFirst();
    }
}
