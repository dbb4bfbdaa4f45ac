package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a user stands with tiers: what a billing page shows beside the packs.
 *
 * @param tier               the tier the user is on: their subscription's while it entitles them,
 *                           else the free tier (empty when the catalog has none)
 * @param subscription       the user's latest subscription, whatever its state (past due, canceled...)
 * @param allowanceRemaining what the user's open allowance lots still hold
 * @param resetsAt           when the next allowance is due: the subscription's period end, or the
 *                           next calendar month for the free tier
 */
public record SubscriptionOverview(
        UserId userId,
        Optional<SubscriptionTier> tier,
        Optional<Subscription> subscription,
        long allowanceRemaining,
        Optional<Instant> resetsAt) {}
