package dev.tokenbilling.store;

import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The catalog of token packages. Slugs are unique; each write is atomic. */
public interface PackageRepository {

    /** Packages ordered by sort order, then id; only active ones unless {@code includeInactive}. */
    List<TokenPackage> list(boolean includeInactive);

    /** The package with this slug; empty for an unknown slug. */
    Optional<TokenPackage> findBySlug(String slug);

    /**
     * Like {@link #findBySlug}, and locks the package row until the enclosing transaction ends (for
     * read-modify-write): another transaction's {@code findBySlugForUpdate} of the package waits
     * until then and sees what this one committed. Outside a transaction the lock ends with the
     * call. Empty, locking nothing, for an unknown slug.
     */
    Optional<TokenPackage> findBySlugForUpdate(String slug);

    /** The package with this id; empty for an unknown id. */
    Optional<TokenPackage> findById(long id);

    /**
     * Stores a new package from {@code definition} (created and updated at {@code at}, no Stripe
     * ids) and returns it with its new id.
     *
     * @throws RuntimeException when a package with this slug exists; nothing is stored
     */
    TokenPackage insert(PackageDefinition definition, Instant at);

    /**
     * Replaces every field the definition defines (the slug too) and sets the update time to
     * {@code at}; the Stripe ids and the creation time stay. Returns the package as stored.
     *
     * @throws RuntimeException for an unknown id, or a slug another package has; nothing changes
     */
    TokenPackage update(long id, PackageDefinition definition, Instant at);

    /**
     * Records the Stripe product and price that sell this package (an empty one clears the stored
     * id) and sets the update time to {@code at}; every other field stays. Returns the package as
     * stored.
     *
     * @throws RuntimeException for an unknown id
     */
    TokenPackage updateStripeIds(long id, Optional<String> productId, Optional<String> priceId, Instant at);
}
