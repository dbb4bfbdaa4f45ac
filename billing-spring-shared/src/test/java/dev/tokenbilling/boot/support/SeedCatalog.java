package dev.tokenbilling.boot.support;

import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.service.TokenBillingService;
import java.util.List;

/**
 * billing-core's {@link DefaultCatalog} (Starter, Booster, Power; and the Explorer, Plus and Pro
 * tiers), saved and synced to (Fake)Stripe.
 */
public final class SeedCatalog {

    private SeedCatalog() {}

    public static List<PackageDefinition> packages() {
        return DefaultCatalog.packages();
    }

    public static List<TierDefinition> tiers() {
        return DefaultCatalog.tiers();
    }

    /** Saves the packs and creates their Stripe products and prices. */
    public static void seed(TokenBillingService service) {
        packages().forEach(service.catalog()::savePackage);
        service.catalog().syncToStripe(false);
    }

    /** Saves the tiers and creates the paid ones' Stripe products and recurring prices. */
    public static void seedTiers(TokenBillingService service) {
        tiers().forEach(service.catalog()::saveTier);
        service.catalog().syncTiersToStripe(false);
    }
}
