package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PackageSaveResult;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.model.TierSaveResult;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.TierSync;
import dev.tokenbilling.service.CatalogService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class DefaultCatalogService implements CatalogService {

    private final ServiceContext context;

    DefaultCatalogService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public List<TokenPackage> packages() {
        return context.store().packages().list(false);
    }

    @Override
    public List<TokenPackage> allPackages() {
        return context.store().packages().list(true);
    }

    @Override
    public Optional<TokenPackage> findPackage(String slug) {
        return context.store().packages().findBySlug(Checks.notNull("slug", slug));
    }

    @Override
    public TokenPackage getPackage(String slug) {
        return findPackage(slug).orElseThrow(() -> new UnknownPackageException(slug));
    }

    @Override
    public PackageSaveResult savePackage(PackageDefinition definition) {
        Checks.notNull("definition", definition);
        return context.store().inTransaction(tx -> {
            Optional<TokenPackage> existing = tx.packages().findBySlugForUpdate(definition.slug());
            if (existing.isEmpty()) {
                return new PackageSaveResult(
                        PackageSaveResult.Change.CREATED,
                        tx.packages().insert(definition, context.clock().instant()));
            }
            if (definition.matches(existing.get())) {
                return new PackageSaveResult(PackageSaveResult.Change.UNCHANGED, existing.get());
            }
            return new PackageSaveResult(
                    PackageSaveResult.Change.UPDATED,
                    tx.packages()
                            .update(
                                    existing.get().id(),
                                    definition,
                                    context.clock().instant()));
        });
    }

    @Override
    public List<PackageSync> syncToStripe(boolean dryRun) {
        PaymentGateway payments = context.requireGateway();
        List<PackageSync> results = new ArrayList<>();
        for (TokenPackage pack : allPackages()) {
            PackageSync sync = payments.syncPackage(pack, dryRun);
            Optional<String> productId =
                    sync.productId().isEmpty() ? pack.stripeProductId() : Optional.of(sync.productId());
            Optional<String> priceId = sync.priceId().isEmpty() ? pack.stripePriceId() : Optional.of(sync.priceId());
            if (!dryRun && (!productId.equals(pack.stripeProductId()) || !priceId.equals(pack.stripePriceId()))) {
                context.store()
                        .packages()
                        .updateStripeIds(
                                pack.id(), productId, priceId, context.clock().instant());
            }
            results.add(sync);
        }
        return results;
    }

    @Override
    public List<SubscriptionTier> tiers() {
        return context.store().tiers().list(false);
    }

    @Override
    public List<SubscriptionTier> allTiers() {
        return context.store().tiers().list(true);
    }

    @Override
    public Optional<SubscriptionTier> findTier(String slug) {
        return context.store().tiers().findBySlug(Checks.notNull("slug", slug));
    }

    @Override
    public TierSaveResult saveTier(TierDefinition definition) {
        Checks.notNull("definition", definition);
        return context.store().inTransaction(tx -> {
            Optional<SubscriptionTier> existing = tx.tiers().findBySlugForUpdate(definition.slug());
            if (existing.isEmpty()) {
                return new TierSaveResult(
                        PackageSaveResult.Change.CREATED,
                        tx.tiers().insert(definition, context.clock().instant()));
            }
            if (definition.matches(existing.get())) {
                return new TierSaveResult(PackageSaveResult.Change.UNCHANGED, existing.get());
            }
            return new TierSaveResult(
                    PackageSaveResult.Change.UPDATED,
                    tx.tiers()
                            .update(
                                    existing.get().id(),
                                    definition,
                                    context.clock().instant()));
        });
    }

    @Override
    public List<TierSync> syncTiersToStripe(boolean dryRun) {
        PaymentGateway payments = context.requireGateway();
        List<TierSync> results = new ArrayList<>();
        for (SubscriptionTier tier : allTiers()) {
            TierSync sync = payments.syncTier(tier, dryRun);
            Optional<String> product =
                    sync.productId().isEmpty() ? tier.stripeProductId() : Optional.of(sync.productId());
            Optional<String> monthly =
                    sync.monthlyPriceId().isEmpty() ? tier.stripeMonthlyPriceId() : Optional.of(sync.monthlyPriceId());
            // A tier no longer sold per year forgets its yearly price; subscribers keep paying it.
            Optional<String> yearly = tier.yearlyPrice().isEmpty()
                    ? Optional.empty()
                    : sync.yearlyPriceId().isEmpty() ? tier.stripeYearlyPriceId() : Optional.of(sync.yearlyPriceId());
            boolean changed = !product.equals(tier.stripeProductId())
                    || !monthly.equals(tier.stripeMonthlyPriceId())
                    || !yearly.equals(tier.stripeYearlyPriceId());
            if (!dryRun && !tier.free() && changed) {
                context.store()
                        .tiers()
                        .updateStripeIds(
                                tier.id(),
                                product,
                                monthly,
                                yearly,
                                context.clock().instant());
            }
            results.add(sync);
        }
        return results;
    }
}
