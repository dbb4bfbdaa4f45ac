package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.PackageSync.Change;
import dev.tokenbilling.service.CatalogService;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog sync through stripe-java against FakeStripe: one Product and one active Price per package, kept in step. */
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

    private static CatalogService catalog() {
        return shop.billing.service().catalog();
    }

    @Test
    void shouldSyncEachPackageToOneProductAndOneActivePrice() {
        TokenPackage booster = catalog().getPackage("booster-500k");

        assertThat(booster.stripeProductId())
                .hasValueSatisfying(id -> assertThat(id).startsWith("prod_"));
        assertThat(booster.stripePriceId())
                .hasValueSatisfying(id -> assertThat(id).startsWith("price_"));
        var product = shop.stripe.object(booster.stripeProductId().get()).orElseThrow();
        assertThat(product.path("metadata").path("package_slug").asText()).isEqualTo("booster-500k");
        var price = shop.stripe.object(booster.stripePriceId().get()).orElseThrow();
        assertThat(price.path("lookup_key").asText()).isEqualTo("booster-500k");
        assertThat(price.path("unit_amount").asLong()).isEqualTo(2000);
        assertThat(price.path("type").asText()).isEqualTo("one_time");
    }

    @Test
    void shouldChangeNothingOnSecondSync() {
        List<PackageSync> again = catalog().syncToStripe(false);

        assertThat(again)
                .filteredOn(sync -> sync.slug().matches("starter-100k|booster-500k|power-1m"))
                .extracting(PackageSync::change)
                .containsOnly(Change.UNCHANGED);
    }

    @Test
    void shouldReplacePriceWhenAmountChangesAndArchiveTheOldOne() {
        catalog()
                .savePackage(new PackageDefinition(
                        "mega-5m", "Mega", "mega", 5_000_000, Money.of(15000, "USD"), "", true, 4));
        catalog().syncToStripe(false);
        String oldPrice = catalog().getPackage("mega-5m").stripePriceId().orElseThrow();

        catalog()
                .savePackage(new PackageDefinition(
                        "mega-5m", "Mega", "mega", 5_000_000, Money.of(14000, "USD"), "", true, 4));
        List<PackageSync> dryRun = catalog().syncToStripe(true);
        assertThat(catalog().getPackage("mega-5m").stripePriceId()).contains(oldPrice);
        assertThat(dryRun)
                .filteredOn(sync -> sync.slug().equals("mega-5m"))
                .singleElement()
                .satisfies(sync -> assertThat(sync.change()).isEqualTo(Change.UPDATED));

        catalog().syncToStripe(false);

        String newPrice = catalog().getPackage("mega-5m").stripePriceId().orElseThrow();
        assertThat(newPrice).isNotEqualTo(oldPrice);
        assertThat(shop.stripe.object(oldPrice).orElseThrow().path("active").asBoolean())
                .isFalse();
        assertThat(shop.stripe.object(newPrice).orElseThrow().path("lookup_key").asText())
                .isEqualTo("mega-5m");
        assertThat(shop.stripe
                        .object(newPrice)
                        .orElseThrow()
                        .path("unit_amount")
                        .asLong())
                .isEqualTo(14000);
    }

    @Test
    void shouldArchiveProductOfDeactivatedPackage() {
        catalog()
                .savePackage(
                        new PackageDefinition("gone-1k", "Gone", "gone", 1_000, Money.of(100, "USD"), "", true, 5));
        catalog().syncToStripe(false);
        String product = catalog().getPackage("gone-1k").stripeProductId().orElseThrow();

        catalog()
                .savePackage(
                        new PackageDefinition("gone-1k", "Gone", "gone", 1_000, Money.of(100, "USD"), "", false, 5));
        List<PackageSync> result = catalog().syncToStripe(false);

        assertThat(result)
                .filteredOn(sync -> sync.slug().equals("gone-1k"))
                .singleElement()
                .satisfies(sync -> assertThat(sync.change()).isEqualTo(Change.ARCHIVED));
        assertThat(shop.stripe.object(product).orElseThrow().path("active").asBoolean())
                .isFalse();
    }
}
