package dev.tokenbilling.store;

import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The catalog of token packages. */
public interface PackageRepository {

    /** Packages ordered by sort order, then id; inactive ones only when asked for. */
    List<TokenPackage> list(boolean includeInactive);

    Optional<TokenPackage> findBySlug(String slug);

    /** Like {@link #findBySlug} but locks the row until the transaction ends (for read-modify-write). */
    Optional<TokenPackage> findBySlugForUpdate(String slug);

    Optional<TokenPackage> findById(long id);

    TokenPackage insert(PackageDefinition definition, Instant at);

    TokenPackage update(long id, PackageDefinition definition, Instant at);

    /** Records the Stripe product and price that sell this package (empty to clear the price). */
    TokenPackage updateStripeIds(long id, Optional<String> productId, Optional<String> priceId, Instant at);
}
