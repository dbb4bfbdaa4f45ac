package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's Stripe subscription to a tier, as last seen from Stripe.
 *
 * @param cancelAtPeriodEnd the subscription ends at {@code currentPeriodEnd} unless resumed
 * @param stripeChangedAt   when Stripe's state that this snapshot shows was current
 */
public record Subscription(
        UserId userId,
        String stripeSubscriptionId,
        Optional<String> stripeCustomerId,
        long tierId,
        String tierSlug,
        BillingInterval interval,
        SubscriptionStatus status,
        Optional<Instant> currentPeriodStart,
        Optional<Instant> currentPeriodEnd,
        boolean cancelAtPeriodEnd,
        Optional<Instant> canceledAt,
        Optional<Instant> endedAt,
        Instant stripeChangedAt,
        Instant createdAt,
        Instant updatedAt) {}
