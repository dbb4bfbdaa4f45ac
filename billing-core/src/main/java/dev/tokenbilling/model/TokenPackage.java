package dev.tokenbilling.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Optional;

/**
 * A token pack on sale, e.g. "Booster": 500,000 tokens for $20.00.
 *
 * @param packageType free-form grouping from the catalog ({@code starter}, {@code booster}, ...)
 * @param sortOrder   display order, ascending
 */
public record TokenPackage(
        long id,
        String slug,
        String name,
        String packageType,
        long tokenAmount,
        Money price,
        String description,
        boolean active,
        int sortOrder,
        Optional<String> stripeProductId,
        Optional<String> stripePriceId,
        Optional<Integer> validityDays,
        Instant createdAt,
        Instant updatedAt) {

    private static final BigDecimal ONE_MILLION = BigDecimal.valueOf(1_000_000);

    /** The price of one million tokens in major units, rounded half-up to the price's scale ({@link Money#exponent()}). */
    public BigDecimal pricePerMillionTokens() {
        return price.majorUnits()
                .multiply(ONE_MILLION)
                .divide(BigDecimal.valueOf(tokenAmount), price.exponent(), RoundingMode.HALF_UP);
    }

    /** True when the package can be bought: active and synced to Stripe. */
    public boolean purchasable() {
        return active && stripePriceId.isPresent();
    }
}
