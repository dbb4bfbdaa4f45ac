package dev.tokenbilling.service;

import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/**
 * Subscription tiers for users: subscribe through Stripe Checkout, manage in the Customer Portal,
 * and see the tier and allowance. Allowances are granted by the webhook events of paid invoices
 * (and the reconciler, for missed ones); the free tier's by {@link #grantFreeAllowance}.
 */
public interface SubscriptionService {

    /** Active tiers in display order, the free one included: what a pricing table shows. */
    List<SubscriptionTier> tiers();

    /**
     * Where the user stands: tier, subscription, allowance left and when it resets. Grants the free
     * tier's allowance of the month first when the user is on the free tier (once per month).
     */
    SubscriptionOverview overview(UserId userId);

    /** The user's subscriptions, the latest period first, ended ones included. */
    List<Subscription> subscriptions(UserId userId);

    /**
     * Starts a Stripe Checkout Session (mode {@code subscription}) for the tier; send the browser to
     * its URL. The user's Stripe customer is created on first use and reused after.
     *
     * @param successUrl where Stripe sends the browser after paying ({@code {CHECKOUT_SESSION_ID}} is
     *                   replaced by the session's id)
     * @throws dev.tokenbilling.error.BillingException {@code UNKNOWN_TIER}; {@code TIER_NOT_AVAILABLE}
     *     for an inactive or free tier, one not sold per {@code interval} or not synced;
     *     {@code ALREADY_SUBSCRIBED} when a subscription already entitles the user (switch tiers in
     *     the portal); {@code PAYMENTS_NOT_CONFIGURED} without Stripe
     */
    CheckoutSession checkout(
            UserId userId, String tierSlug, BillingInterval interval, String successUrl, String cancelUrl);

    /**
     * A Stripe Customer Portal session where the user changes card, switches tier or cancels;
     * returns its URL.
     *
     * @throws dev.tokenbilling.error.BillingException {@code NO_SUBSCRIPTION} for a user who never
     *     checked out (no Stripe customer)
     */
    String portal(UserId userId, String returnUrl);

    /**
     * Cancels the user's current subscription at its period's end (the allowance stays until then);
     * returns it as Stripe now holds it.
     *
     * @throws dev.tokenbilling.error.BillingException {@code NO_SUBSCRIPTION} when none is current
     */
    Subscription cancelAtPeriodEnd(UserId userId);

    /** Undoes {@link #cancelAtPeriodEnd} before the period ends. */
    Subscription resume(UserId userId);

    /**
     * Grants the free tier's allowance of the current month (UTC) when the user is on the free tier;
     * once per user and month, whoever calls it how often.
     */
    Optional<LedgerEntry> grantFreeAllowance(UserId userId);

    /** Reads the user's unfinished subscriptions from Stripe and stores what changed; returns them. */
    List<Subscription> refresh(UserId userId);
}
