package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A subscription tier on sale, e.g. "Pro": 2,000,000 tokens each month for $25.00/month. See
 * {@link TierDefinition} for the fields a catalog defines; the Stripe ids are the sync's.
 */
public record SubscriptionTier(
        long id,
        String slug,
        String name,
        Money monthlyPrice,
        Optional<Money> yearlyPrice,
        long tokensPerPeriod,
        Optional<Long> rolloverCap,
        String description,
        boolean active,
        int sortOrder,
        Optional<String> stripeProductId,
        Optional<String> stripeMonthlyPriceId,
        Optional<String> stripeYearlyPriceId,
        Instant createdAt,
        Instant updatedAt) {

    /** True for a tier without a price: its allowance is granted by the library, not by invoices. */
    public boolean free() {
        return monthlyPrice.minorUnits() == 0;
    }

    /** The price of one period of {@code interval}, if the tier is sold per that interval. */
    public Optional<Money> price(BillingInterval interval) {
        return interval == BillingInterval.MONTH ? Optional.of(monthlyPrice) : yearlyPrice;
    }

    /** The allowance of one period of {@code interval}: a year holds twelve months' allowance. */
    public long allowance(BillingInterval interval) {
        return interval == BillingInterval.MONTH ? tokensPerPeriod : Math.multiplyExact(tokensPerPeriod, 12);
    }

    /** The Stripe price that sells one period of {@code interval}, once synced. */
    public Optional<String> stripePriceId(BillingInterval interval) {
        return interval == BillingInterval.MONTH ? stripeMonthlyPriceId : stripeYearlyPriceId;
    }

    /** True when a user can subscribe: active, paid and synced to Stripe for {@code interval}. */
    public boolean subscribable(BillingInterval interval) {
        return active
                && !free()
                && price(interval).isPresent()
                && stripePriceId(interval).isPresent();
    }
}
