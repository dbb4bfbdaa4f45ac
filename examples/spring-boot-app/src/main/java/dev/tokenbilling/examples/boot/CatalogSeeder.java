package dev.tokenbilling.examples.boot;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.payment.PackageSync;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * What the seed's {@code seed_billing --with-stripe} does, on startup: creates the three packs when
 * missing (packs edited since, e.g. with the CLI, are left alone) and mirrors the catalog to Stripe
 * (products and prices; with the embedded FakeStripe every start, since it forgets them on exit).
 * Off with {@code demo.seed-catalog=false}.
 */
@Component
@Order(0)
@ConditionalOnBooleanProperty(name = "demo.seed-catalog", matchIfMissing = true)
class CatalogSeeder implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogSeeder.class);

    static final List<PackageDefinition> PACKS = List.of(
            new PackageDefinition("starter-100k", "Starter", "starter", 100_000, Money.of(500, "USD"),
                    "100,000 AI tokens - perfect for occasional extra requests", true, 1),
            new PackageDefinition("booster-500k", "Booster", "booster", 500_000, Money.of(2000, "USD"),
                    "500,000 AI tokens - great value for regular users", true, 2),
            new PackageDefinition("power-1m", "Power", "power", 1_000_000, Money.of(3500, "USD"),
                    "1,000,000 AI tokens - best value for power users", true, 3));

    private final TokenBilling billing;

    CatalogSeeder(TokenBilling billing) {
        this.billing = billing;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (PackageDefinition pack : PACKS) {
            if (billing.service().findPackage(pack.slug()).isEmpty()) {
                billing.service().savePackage(pack);
                LOG.info("Created package {}: {} tokens for {}", pack.name(), pack.tokenAmount(), pack.price());
            }
        }
        if (billing.paymentGateway().isEmpty()) {
            LOG.warn("Stripe is not configured: packages are listed but cannot be bought");
            return;
        }
        try {
            for (PackageSync sync : billing.service().syncCatalogToStripe(false)) {
                LOG.info("Synced to Stripe: {} {} (product={}, price={})", sync.slug(), sync.change(), sync.productId(), sync.priceId());
            }
        } catch (BillingException e) {
            LOG.warn("Could not sync the catalog to Stripe, purchases of unsynced packs will fail until it works: {}", e.getMessage());
        }
    }
}
