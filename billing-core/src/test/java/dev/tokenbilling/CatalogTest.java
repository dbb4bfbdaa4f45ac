package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PackageSaveResult.Change;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogTest {

    private static BillingFixture fixture;
    private static TokenBillingService service;

    @BeforeAll
    static void seed() {
        fixture = BillingFixture.create(CatalogTest.class);
        service = fixture.service;
        fixture.seed();
    }

    @Test
    void shouldListActivePackagesInDisplayOrder() {
        assertThat(service.catalog().packages())
                .extracting(TokenPackage::slug)
                .containsExactly("starter-100k", "booster-500k", "power-1m");
        TokenPackage booster = service.catalog().getPackage("booster-500k");
        assertThat(booster.tokenAmount()).isEqualTo(500_000);
        assertThat(booster.price()).isEqualTo(Money.of(2000, "USD"));
        assertThat(booster.price().majorUnits()).isEqualByComparingTo("20.00");
        assertThat(booster.pricePerMillionTokens()).isEqualByComparingTo(new BigDecimal("40.00"));
        assertThat(booster.stripePriceId()).isEmpty();
        assertThat(booster.purchasable()).isFalse();
    }

    @Test
    void shouldReportUnchangedWhenSeededTwice() {
        assertThat(BillingFixture.seedPackages())
                .allSatisfy(definition -> assertThat(
                                service.catalog().savePackage(definition).change())
                        .isEqualTo(Change.UNCHANGED));
    }

    @Test
    void shouldUpdateChangedPackageAndHideInactiveOnes() {
        PackageDefinition mega =
                new PackageDefinition("mega-5m", "Mega", "mega", 5_000_000, Money.of(15000, "USD"), "", true, 9);
        assertThat(service.catalog().savePackage(mega).change()).isEqualTo(Change.CREATED);

        PackageDefinition retired =
                new PackageDefinition("mega-5m", "Mega", "mega", 5_000_000, Money.of(15000, "USD"), "", false, 9);
        assertThat(service.catalog().savePackage(retired).change()).isEqualTo(Change.UPDATED);

        assertThat(service.catalog().packages()).extracting(TokenPackage::slug).doesNotContain("mega-5m");
        assertThat(service.catalog().allPackages())
                .extracting(TokenPackage::slug)
                .contains("mega-5m");
        assertThat(service.catalog().getPackage("mega-5m").active()).isFalse();
    }

    @Test
    void shouldKeepStripeIdsWhenDefinitionChanges() {
        TokenPackage starter = service.catalog().getPackage("starter-100k");
        fixture.billing
                .store()
                .packages()
                .updateStripeIds(
                        starter.id(),
                        Optional.of("prod_1"),
                        Optional.of("price_1"),
                        fixture.billing.clock().instant());

        PackageDefinition renamed = new PackageDefinition(
                "starter-100k",
                "Starter pack",
                "starter",
                100_000,
                Money.of(500, "USD"),
                "100,000 AI tokens - perfect for occasional extra requests",
                true,
                1);
        TokenPackage updated = service.catalog().savePackage(renamed).tokenPackage();

        assertThat(updated.name()).isEqualTo("Starter pack");
        assertThat(updated.stripeProductId()).contains("prod_1");
        assertThat(updated.stripePriceId()).contains("price_1");
        assertThat(updated.purchasable()).isTrue();
    }

    @Test
    void shouldRejectUnknownSlugAndBadDefinitions() {
        assertThatThrownBy(() -> service.catalog().getPackage("nope"))
                .isInstanceOf(UnknownPackageException.class)
                .hasMessageContaining("nope");
        assertThat(service.catalog().findPackage("nope")).isEmpty();
        assertThatThrownBy(() -> new PackageDefinition("Bad Slug", "x", "x", 1, Money.of(1, "USD"), "", true, 0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("slug");
        assertThatThrownBy(() -> new PackageDefinition("ok", "x", "x", 0, Money.of(1, "USD"), "", true, 0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tokenAmount");
        assertThatThrownBy(() -> new PackageDefinition("ok", "x", "x", 1, Money.of(0, "USD"), "", true, 0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("price");
        assertThatThrownBy(() -> Money.of(1, "XYZW"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("currency");
    }
}
