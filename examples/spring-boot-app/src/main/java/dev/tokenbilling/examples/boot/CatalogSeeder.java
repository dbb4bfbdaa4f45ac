package dev.tokenbilling.examples.boot;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.TierSync;
import dev.tokenbilling.service.CatalogService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * What the CLI's {@code billing seed --with-stripe} does, on startup: creates the library's three
 * default packs and three subscription tiers ({@link DefaultCatalog}: Explorer free, Plus, Pro) when
 * missing (packs and tiers edited since, e.g. with the CLI, are left alone) and mirrors the catalog to
 * Stripe (products, prices and the tiers' recurring prices; with the embedded FakeStripe every start,
 * since it forgets them on exit). Off with {@code demo.seed-catalog=false}.
 */
@Component
@Order(0)
@ConditionalOnBooleanProperty(name = "demo.seed-catalog", matchIfMissing = true)
class CatalogSeeder implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogSeeder.class);

    private final TokenBilling billing;

    CatalogSeeder(TokenBilling billing) {
        this.billing = billing;
    }

    @Override
    public void run(ApplicationArguments args) {
        CatalogService catalog = billing.service().catalog();
        for (PackageDefinition pack : DefaultCatalog.packages()) {
            if (catalog.findPackage(pack.slug()).isEmpty()) {
                catalog.savePackage(pack);
                LOG.info("Created package {}: {} tokens for {}", pack.name(), pack.tokenAmount(), pack.price());
            }
        }
        for (TierDefinition tier : DefaultCatalog.tiers()) {
            if (catalog.findTier(tier.slug()).isEmpty()) {
                catalog.saveTier(tier);
                LOG.info(
                        "Created tier {}: {} tokens a month for {}",
                        tier.name(),
                        tier.tokensPerPeriod(),
                        tier.monthlyPrice());
            }
        }
        if (!billing.paymentsConfigured()) {
            LOG.warn("Stripe is not configured: packages and tiers are listed but cannot be bought");
            return;
        }
        try {
            for (PackageSync sync : catalog.syncToStripe(false)) {
                LOG.info(
                        "Synced to Stripe: {} {} (product={}, price={})",
                        sync.slug(),
                        sync.change(),
                        sync.productId(),
                        sync.priceId());
            }
        } catch (BillingException e) {
            LOG.warn(
                    "Could not sync the catalog to Stripe, purchases of unsynced packs will fail until it works: {}",
                    e.getMessage());
        }
        try {
            for (TierSync sync : catalog.syncTiersToStripe(false)) {
                LOG.info(
                        "Synced to Stripe: tier {} {} (product={}, monthly price={}, yearly price={})",
                        sync.slug(),
                        sync.change(),
                        sync.productId(),
                        sync.monthlyPriceId(),
                        sync.yearlyPriceId());
            }
        } catch (BillingException e) {
            LOG.warn(
                    "Could not sync the tiers to Stripe, subscribing to unsynced tiers will fail until it works: {}",
                    e.getMessage());
        }
    }
}
