package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.util.Objects;
import java.util.Optional;

/**
 * What a user asks of auto-recharge: buy {@code packageSlug} when the available balance falls below
 * {@code threshold}. The card defaults to the user's saved card; the monthly limits default to
 * {@value #DEFAULT_MAX_PER_MONTH} recharges and that many packs' price; {@value #DEFAULT_MAX_FAILURES}
 * declines in a row pause the rule.
 */
public record RechargeSettings(
        String packageSlug,
        long threshold,
        Optional<String> paymentMethodId,
        int maxPerMonth,
        Optional<Long> maxAmountPerMonth,
        int maxFailures) {

    public static final int DEFAULT_MAX_PER_MONTH = 5;
    public static final int DEFAULT_MAX_FAILURES = 3;

    public RechargeSettings {
        Objects.requireNonNull(packageSlug, "packageSlug");
        if (threshold <= 0) {
            throw new InvalidRequestException("threshold", "must be positive, was " + threshold);
        }
        paymentMethodId = paymentMethodId == null ? Optional.empty() : paymentMethodId;
        maxAmountPerMonth = maxAmountPerMonth == null ? Optional.empty() : maxAmountPerMonth;
        if (maxPerMonth < 1 || maxPerMonth > 100) {
            throw new InvalidRequestException("maxPerMonth", "must be between 1 and 100, was " + maxPerMonth);
        }
        if (maxAmountPerMonth.isPresent() && maxAmountPerMonth.get() <= 0) {
            throw new InvalidRequestException("maxAmountPerMonth", "must be positive, was " + maxAmountPerMonth.get());
        }
        if (maxFailures < 1 || maxFailures > 20) {
            throw new InvalidRequestException("maxFailures", "must be between 1 and 20, was " + maxFailures);
        }
    }

    /** Buy {@code packageSlug} below {@code threshold}, with the saved card and the default limits. */
    public static RechargeSettings of(String packageSlug, long threshold) {
        return new RechargeSettings(
                packageSlug,
                threshold,
                Optional.empty(),
                DEFAULT_MAX_PER_MONTH,
                Optional.empty(),
                DEFAULT_MAX_FAILURES);
    }

    public RechargeSettings withMaxPerMonth(int count) {
        return new RechargeSettings(packageSlug, threshold, paymentMethodId, count, maxAmountPerMonth, maxFailures);
    }

    public RechargeSettings withMaxAmountPerMonth(long minorUnits) {
        return new RechargeSettings(
                packageSlug, threshold, paymentMethodId, maxPerMonth, Optional.of(minorUnits), maxFailures);
    }

    public RechargeSettings withMaxFailures(int count) {
        return new RechargeSettings(packageSlug, threshold, paymentMethodId, maxPerMonth, maxAmountPerMonth, count);
    }

    public RechargeSettings withPaymentMethod(String id) {
        return new RechargeSettings(
                packageSlug, threshold, Optional.of(id), maxPerMonth, maxAmountPerMonth, maxFailures);
    }
}
