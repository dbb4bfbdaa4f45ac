package dev.tokenbilling.store;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.Optional;

/** A purchase about to be created in status {@code pending}; amounts are copied from the package. */
public record NewPurchase(
        UserId userId,
        long packageId,
        String packageSlug,
        long tokenAmount,
        Money amount,
        Optional<String> stripeCustomerId,
        Instant createdAt) {}
