package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.PackageSync.Change;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogSyncTest {

    private static Shop shop;

    @BeforeAll
    static void open() {
        shop = Shop.open(CatalogSyncTest.class);
    }

    @AfterAll
    static void close() {
        shop.close();
    }

    @Test
    void shouldSyncEachPackageToOneProductAndOneActivePrice() {
        TokenPackage booster = shop.billing.service().packageBySlug("booster-500k");

        assertThat(booster.stripeProductId()).hasValueSatisfying(id -> assertThat(id).startsWith("prod_"));
        assertThat(booster.stripePriceId()).hasValueSatisfying(id -> assertThat(id).startsWith("price_"));
        var product = shop.stripe.object(booster.stripeProductId().get()).orElseThrow();
        assertThat(product.path("metadata").path("package_slug").asText()).isEqualTo("booster-500k");
        var price = shop.stripe.object(booster.stripePriceId().get()).orElseThrow();
        assertThat(price.path("lookup_key").asText()).isEqualTo("booster-500k");
        assertThat(price.path("unit_amount").asLong()).isEqualTo(2000);
        assertThat(price.path("type").asText()).isEqualTo("one_time");
    }

    @Test
    void shouldChangeNothingOnSecondSync() {
        List<PackageSync> again = shop.billing.service().syncCatalogToStripe(false);

        assertThat(again).filteredOn(sync -> sync.slug().matches("starter-100k|booster-500k|power-1m"))
                .extracting(PackageSync::change).containsOnly(Change.UNCHANGED);
    }

    @Test
    void shouldReplacePriceWhenAmountChangesAndArchiveTheOldOne() {
        shop.billing.service().savePackage(new PackageDefinition("mega-5m", "Mega", "mega", 5_000_000, Money.of(15000, "USD"), "", true, 4));
        shop.billing.service().syncCatalogToStripe(false);
        String oldPrice = shop.billing.service().packageBySlug("mega-5m").stripePriceId().orElseThrow();

        shop.billing.service().savePackage(new PackageDefinition("mega-5m", "Mega", "mega", 5_000_000, Money.of(14000, "USD"), "", true, 4));
        List<PackageSync> dryRun = shop.billing.service().syncCatalogToStripe(true);
        assertThat(shop.billing.service().packageBySlug("mega-5m").stripePriceId()).contains(oldPrice);
        assertThat(dryRun).filteredOn(sync -> sync.slug().equals("mega-5m")).singleElement()
                .satisfies(sync -> assertThat(sync.change()).isEqualTo(Change.UPDATED));

        shop.billing.service().syncCatalogToStripe(false);

        String newPrice = shop.billing.service().packageBySlug("mega-5m").stripePriceId().orElseThrow();
        assertThat(newPrice).isNotEqualTo(oldPrice);
        assertThat(shop.stripe.object(oldPrice).orElseThrow().path("active").asBoolean()).isFalse();
        assertThat(shop.stripe.object(newPrice).orElseThrow().path("lookup_key").asText()).isEqualTo("mega-5m");
        assertThat(shop.stripe.object(newPrice).orElseThrow().path("unit_amount").asLong()).isEqualTo(14000);
    }

    @Test
    void shouldArchiveProductOfDeactivatedPackage() {
        shop.billing.service().savePackage(new PackageDefinition("gone-1k", "Gone", "gone", 1_000, Money.of(100, "USD"), "", true, 5));
        shop.billing.service().syncCatalogToStripe(false);
        String product = shop.billing.service().packageBySlug("gone-1k").stripeProductId().orElseThrow();

        shop.billing.service().savePackage(new PackageDefinition("gone-1k", "Gone", "gone", 1_000, Money.of(100, "USD"), "", false, 5));
        List<PackageSync> result = shop.billing.service().syncCatalogToStripe(false);

        assertThat(result).filteredOn(sync -> sync.slug().equals("gone-1k")).singleElement()
                .satisfies(sync -> assertThat(sync.change()).isEqualTo(Change.ARCHIVED));
        assertThat(shop.stripe.object(product).orElseThrow().path("active").asBoolean()).isFalse();
    }
}
