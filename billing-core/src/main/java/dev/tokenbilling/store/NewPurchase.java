package dev.tokenbilling.store;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.Optional;

/**
 * A purchase about to be created in status {@code pending}; amounts and the validity of its tokens are
 * copied from the package, so the buyer gets the terms shown when the purchase started.
 */
public record NewPurchase(
        UserId userId,
        long packageId,
        String packageSlug,
        long tokenAmount,
        Money amount,
        Optional<String> stripeCustomerId,
        Instant createdAt,
        Optional<Integer> validityDays) {

    /** A purchase whose tokens never expire. */
    public NewPurchase(
            UserId userId,
            long packageId,
            String packageSlug,
            long tokenAmount,
            Money amount,
            Optional<String> stripeCustomerId,
            Instant createdAt) {
        this(userId, packageId, packageSlug, tokenAmount, amount, stripeCustomerId, createdAt, Optional.empty());
    }
}
