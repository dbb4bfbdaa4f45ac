package dev.tokenbilling.boot.support;

import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.service.TokenBillingService;
import java.util.List;

/** billing-core's {@link DefaultCatalog} (Starter, Booster, Power), saved and synced to (Fake)Stripe. */
public final class SeedCatalog {

    private SeedCatalog() {}

    public static List<PackageDefinition> packages() {
        return DefaultCatalog.packages();
    }

    /** Saves the packs and creates their Stripe products and prices. */
    public static void seed(TokenBillingService service) {
        packages().forEach(service.catalog()::savePackage);
        service.catalog().syncToStripe(false);
    }
}
