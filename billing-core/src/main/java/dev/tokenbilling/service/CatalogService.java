package dev.tokenbilling.service;

import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PackageSaveResult;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.model.TierSaveResult;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.TierSync;
import java.util.List;
import java.util.Optional;

/** The token packages and subscription tiers on sale. */
public interface CatalogService {

    /** Active packages in display order: what a "buy tokens" dialog shows. */
    List<TokenPackage> packages();

    /** Every package, inactive ones included, in display order. */
    List<TokenPackage> allPackages();

    /** The package with this slug, if any. */
    Optional<TokenPackage> findPackage(String slug);

    /**
     * The package with this slug.
     *
     * @throws dev.tokenbilling.error.UnknownPackageException when no package has it
     */
    TokenPackage getPackage(String slug);

    /**
     * Creates the package with the definition's slug, or updates it to match; reports what it did.
     * Saving the same definition again reports {@code UNCHANGED} and writes nothing. A changed price
     * keeps the old Stripe ids until {@link #syncToStripe} replaces the price.
     */
    PackageSaveResult savePackage(PackageDefinition definition);

    /**
     * Makes Stripe sell every package: a Product and an active Price per package, archived for
     * inactive ones; records their ids. With {@code dryRun}, reports what would change and writes nothing.
     *
     * @throws dev.tokenbilling.error.BillingException {@code PAYMENTS_NOT_CONFIGURED} without Stripe settings
     */
    List<PackageSync> syncToStripe(boolean dryRun);

    /** Active tiers in display order (the free one included). */
    List<SubscriptionTier> tiers();

    /** Every tier, inactive ones included, in display order. */
    List<SubscriptionTier> allTiers();

    /** The tier with this slug, if any. */
    Optional<SubscriptionTier> findTier(String slug);

    /**
     * Creates the tier with the definition's slug, or updates it to match; reports what it did (as
     * {@link #savePackage} does). A changed price keeps the old Stripe price until
     * {@link #syncTiersToStripe} replaces it; existing subscribers keep the price they pay.
     */
    TierSaveResult saveTier(TierDefinition definition);

    /**
     * Makes Stripe sell every paid tier: a Product and an active recurring Price per interval,
     * archived for inactive tiers; records their ids. Free tiers stay off Stripe. With {@code dryRun},
     * reports what would change and writes nothing.
     */
    List<TierSync> syncTiersToStripe(boolean dryRun);
}
