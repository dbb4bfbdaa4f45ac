package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a catalog says a subscription tier should be; {@code CatalogService.saveTier} creates or
 * updates the tier with this slug. Stripe ids are not part of it: the Stripe sync owns them.
 *
 * @param monthlyPrice    the price per month; zero makes a free tier, whose allowance the library
 *                        grants itself each calendar month (it has no Stripe price)
 * @param yearlyPrice     an optional price per year (paid tiers only)
 * @param tokensPerPeriod the allowance each paid period (a yearly subscription gets twelve months'
 *                        worth at once)
 * @param rolloverCap     unused allowance carried into the next period, at most this many tokens;
 *                        empty (the default) means unused allowance expires with its period
 */
public record TierDefinition(
        String slug,
        String name,
        Money monthlyPrice,
        Optional<Money> yearlyPrice,
        long tokensPerPeriod,
        Optional<Long> rolloverCap,
        String description,
        boolean active,
        int sortOrder) {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public TierDefinition {
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new InvalidRequestException(
                    "slug", "must be 1-63 lower-case letters, digits or '-', starting with a letter or digit");
        }
        if (name == null || name.isBlank() || name.length() > PackageDefinition.MAX_NAME_LENGTH) {
            throw new InvalidRequestException(
                    "name", "must be non-blank and at most " + PackageDefinition.MAX_NAME_LENGTH + " characters");
        }
        Objects.requireNonNull(monthlyPrice, "monthlyPrice");
        if (monthlyPrice.minorUnits() < 0) {
            throw new InvalidRequestException("monthlyPrice", "must not be negative, was " + monthlyPrice.minorUnits());
        }
        if (monthlyPrice.minorUnits() > 0) {
            monthlyPrice.requireChargeable("monthlyPrice");
        }
        yearlyPrice = yearlyPrice == null ? Optional.empty() : yearlyPrice;
        if (yearlyPrice.isPresent()) {
            if (monthlyPrice.minorUnits() == 0) {
                throw new InvalidRequestException("yearlyPrice", "a free tier has no yearly price");
            }
            if (!yearlyPrice.get().currency().equals(monthlyPrice.currency())) {
                throw new InvalidRequestException("yearlyPrice", "must be in the monthly price's currency");
            }
            yearlyPrice.get().requireChargeable("yearlyPrice");
        }
        if (tokensPerPeriod <= 0) {
            throw new InvalidRequestException("tokensPerPeriod", "must be positive, was " + tokensPerPeriod);
        }
        rolloverCap = rolloverCap == null ? Optional.empty() : rolloverCap;
        if (rolloverCap.isPresent() && rolloverCap.get() < 0) {
            throw new InvalidRequestException("rolloverCap", "must not be negative, was " + rolloverCap.get());
        }
        description = description == null ? "" : description;
        if (description.length() > PackageDefinition.MAX_DESCRIPTION_LENGTH) {
            throw new InvalidRequestException(
                    "description", "must be at most " + PackageDefinition.MAX_DESCRIPTION_LENGTH + " characters");
        }
    }

    /** A monthly tier whose unused allowance expires with its period. */
    public static TierDefinition monthly(
            String slug, String name, Money monthlyPrice, long tokensPerPeriod, String description, int sortOrder) {
        return new TierDefinition(
                slug,
                name,
                monthlyPrice,
                Optional.empty(),
                tokensPerPeriod,
                Optional.empty(),
                description,
                true,
                sortOrder);
    }

    /** The same tier, also sold per year at {@code price}. */
    public TierDefinition withYearlyPrice(Money price) {
        return new TierDefinition(
                slug,
                name,
                monthlyPrice,
                Optional.of(price),
                tokensPerPeriod,
                rolloverCap,
                description,
                active,
                sortOrder);
    }

    /** The same tier, carrying at most {@code cap} unused tokens into the next period. */
    public TierDefinition withRolloverCap(long cap) {
        return new TierDefinition(
                slug,
                name,
                monthlyPrice,
                yearlyPrice,
                tokensPerPeriod,
                Optional.of(cap),
                description,
                active,
                sortOrder);
    }

    /** True when the stored tier already matches this definition in every field it defines. */
    public boolean matches(SubscriptionTier existing) {
        return existing.slug().equals(slug)
                && existing.name().equals(name)
                && existing.monthlyPrice().equals(monthlyPrice)
                && existing.yearlyPrice().equals(yearlyPrice)
                && existing.tokensPerPeriod() == tokensPerPeriod
                && existing.rolloverCap().equals(rolloverCap)
                && existing.description().equals(description)
                && existing.active() == active
                && existing.sortOrder() == sortOrder;
    }
}
