package dev.tokenbilling.store;

import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The catalog of subscription tiers. Slugs are unique; each write is atomic. */
public interface TierRepository {

    /** Tiers ordered by sort order, then id; only active ones unless {@code includeInactive}. */
    List<SubscriptionTier> list(boolean includeInactive);

    /** The tier with this slug; empty for an unknown slug. */
    Optional<SubscriptionTier> findBySlug(String slug);

    /**
     * Like {@link #findBySlug}, and locks the tier row until the enclosing transaction ends (for
     * read-modify-write). Empty, locking nothing, for an unknown slug.
     */
    Optional<SubscriptionTier> findBySlugForUpdate(String slug);

    /** The tier with this id; empty for an unknown id. */
    Optional<SubscriptionTier> findById(long id);

    /**
     * The tier that a Stripe price sells: the tier whose recorded Product is {@code productId}, or
     * else whose monthly or yearly Price is {@code priceId} (a replaced price still belongs to its
     * tier's Product). Empty when no tier matches.
     */
    Optional<SubscriptionTier> findByStripeIds(String productId, String priceId);

    /**
     * Stores a new tier from {@code definition} (created and updated at {@code at}, no Stripe ids).
     *
     * @throws RuntimeException when a tier with this slug exists; nothing is stored
     */
    SubscriptionTier insert(TierDefinition definition, Instant at);

    /**
     * Replaces every field the definition defines and sets the update time; the Stripe ids and the
     * creation time stay.
     *
     * @throws RuntimeException for an unknown id, or a slug another tier has; nothing changes
     */
    SubscriptionTier update(long id, TierDefinition definition, Instant at);

    /** Records the Stripe Product and Prices that sell this tier (empty clears); every other field stays. */
    SubscriptionTier updateStripeIds(
            long id,
            Optional<String> productId,
            Optional<String> monthlyPriceId,
            Optional<String> yearlyPriceId,
            Instant at);
}
