package dev.tokenbilling.boot.support;

import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import java.util.List;

/** Three sample token packs (Starter, Booster, Power), saved and synced to (Fake)Stripe. */
public final class SeedCatalog {

    private SeedCatalog() {
    }

    public static List<PackageDefinition> packages() {
        return List.of(
                new PackageDefinition("starter-100k", "Starter", "starter", 100_000, Money.of(500, "USD"),
                        "100,000 AI tokens - perfect for occasional extra requests", true, 1),
                new PackageDefinition("booster-500k", "Booster", "booster", 500_000, Money.of(2000, "USD"),
                        "500,000 AI tokens - great value for regular users", true, 2),
                new PackageDefinition("power-1m", "Power", "power", 1_000_000, Money.of(3500, "USD"),
                        "1,000,000 AI tokens - best value for power users", true, 3));
    }

    /** Saves the packs and creates their Stripe products and prices. */
    public static void seed(TokenBillingService service) {
        packages().forEach(service::savePackage);
        service.syncCatalogToStripe(false);
    }
}
