package dev.tokenbilling.payment;

/**
 * How one tier stands on Stripe after a sync: its Product and active recurring Prices (the yearly
 * one empty when the tier has no yearly price), and what changed. A free tier is never on Stripe.
 */
public record TierSync(
        String slug,
        PackageSync.Change change,
        String productId,
        String monthlyPriceId,
        String yearlyPriceId,
        String detail) {}
