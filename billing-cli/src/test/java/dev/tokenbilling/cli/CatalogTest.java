package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.model.Money;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Catalog files: the fields, their defaults, and errors that name the line. */
class CatalogTest {

    @Test
    void shouldDefaultToTheThreeDefaultPacks() {
        List<Catalog.Entry> defaults = Catalog.defaults().packages();

        assertThat(defaults)
                .extracting(entry -> entry.definition().slug())
                .containsExactly("starter-100k", "booster-500k", "power-1m");
        assertThat(defaults.get(0).definition().name()).isEqualTo("Starter");
        assertThat(defaults.get(0).definition().tokenAmount()).isEqualTo(100_000);
        assertThat(defaults.get(0).definition().price()).isEqualTo(Money.of(500, "USD"));
        assertThat(defaults.get(0).definition().description())
                .isEqualTo("100,000 AI tokens - perfect for occasional extra requests");
        assertThat(defaults.get(1).definition().price()).isEqualTo(Money.of(2000, "USD"));
        assertThat(defaults.get(2).definition().price()).isEqualTo(Money.of(3500, "USD"));
    }

    @Test
    void shouldDefaultToTheThreeDefaultTiersBeforeThePacks() {
        Catalog defaults = Catalog.defaults();

        assertThat(defaults.tiers())
                .extracting(entry -> entry.definition().slug())
                .containsExactly("explorer", "plus", "pro");
        assertThat(defaults.tiers().get(0).definition().monthlyPrice()).isEqualTo(Money.of(0, "USD"));
        assertThat(defaults.tiers().get(1).definition().yearlyPrice()).contains(Money.of(10000, "USD"));
        assertThat(defaults.tiers().get(2).definition().rolloverCap()).contains(500_000L);
        assertThat(defaults.packages()).hasSize(3);
    }

    @Test
    void shouldReadTiersBesideThePackagesWithDefaultsAndAliases() {
        Catalog catalog = Catalog.parse("""
                tiers:
                  - slug: free
                    name: Free
                    monthlyPrice: 0
                    tokensPerPeriod: 10000
                  - slug: team
                    name: Team
                    monthly_price: "49.00"
                    yearly_price: 490
                    currency: eur
                    tokens: "5,000,000"
                    rollover_cap: 1000000
                    description: For teams
                    is_active: false
                    sortOrder: 7
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000
                    price: 5
                """, "c.yaml", false);

        assertThat(catalog.packages()).hasSize(1);
        assertThat(catalog.tiers()).hasSize(2);
        var free = catalog.tiers().get(0).definition();
        assertThat(free.monthlyPrice()).isEqualTo(Money.of(0, "USD"));
        assertThat(free.yearlyPrice()).isEmpty();
        assertThat(free.rolloverCap()).isEmpty();
        assertThat(free.active()).isTrue();
        assertThat(free.sortOrder()).isEqualTo(1);
        assertThat(free.description()).isEmpty();
        var team = catalog.tiers().get(1).definition();
        assertThat(team.monthlyPrice()).isEqualTo(Money.of(4900, "EUR"));
        assertThat(team.yearlyPrice()).contains(Money.of(49000, "EUR"));
        assertThat(team.tokensPerPeriod()).isEqualTo(5_000_000);
        assertThat(team.rolloverCap()).contains(1_000_000L);
        assertThat(team.description()).isEqualTo("For teams");
        assertThat(team.active()).isFalse();
        assertThat(team.sortOrder()).isEqualTo(7);
        assertThat(catalog.tiers().get(1).line()).isEqualTo(6);
    }

    @Test
    void shouldReadACatalogOfTiersAloneAsJson() {
        Catalog catalog = Catalog.parse("""
                {"tiers": [{"slug": "plus", "name": "Plus", "monthlyPrice": "10.00", "tokensPerPeriod": 600000}]}
                """, "c.json", true);

        assertThat(catalog.packages()).isEmpty();
        assertThat(catalog.tiers())
                .extracting(entry -> entry.definition().slug())
                .containsExactly("plus");
    }

    @Test
    void shouldNameTheLineOfEachKindOfTierProblem() {
        String head = "tiers:\n  - slug: plus\n    name: Plus\n";
        assertProblem(
                head + "    tokensPerPeriod: 5\n", false, "c.yaml:2:", "tier 1 ('plus'): 'monthlyPrice' is missing");
        assertProblem(
                head + "    monthlyPrice: 10\n", false, "c.yaml:2:", "tier 1 ('plus'): 'tokensPerPeriod' is missing");
        assertProblem(
                head + "    monthlyPrice: ten\n    tokensPerPeriod: 5\n",
                false,
                "c.yaml:4:",
                "monthlyPrice must be an amount in major units");
        assertProblem(
                head + "    monthlyPrice: -1\n    tokensPerPeriod: 5\n",
                false,
                "c.yaml:4:",
                "tier 1 ('plus'): monthlyPrice: must not be negative");
        assertProblem(
                head + "    monthlyPrice: 0\n    yearlyPrice: 100\n    tokensPerPeriod: 5\n",
                false,
                "c.yaml:5:",
                "yearlyPrice: a free tier has no yearly price");
        assertProblem(
                head + "    monthlyPrice: 10.005\n    tokensPerPeriod: 5\n",
                false,
                "c.yaml:4:",
                "monthlyPrice: 10.005 has more decimals than USD allows (2)");
        assertProblem(
                head + "    monthlyPrice: 10\n    tokensPerPeriod: 0\n",
                false,
                "c.yaml:5:",
                "tokensPerPeriod: must be positive, was 0");
        assertProblem(
                head + "    monthlyPrice: 10\n    tokensPerPeriod: 5\n    rolloverCap: lots\n",
                false,
                "c.yaml:6:",
                "rolloverCap must be a whole number of tokens");
        assertProblem(
                head + "    monthlyPrice: 10\n    tokensPerPeriod: 5\n    price: 10\n",
                false,
                "c.yaml:6:",
                "tier 1: unknown field 'price'; expected one of slug, name, monthlyPrice");
        assertProblem(
                head + "    monthlyPrice: 10\n    tokensPerPeriod: 5\n  - slug: plus\n    name: Plus 2\n"
                        + "    monthlyPrice: 10\n    tokensPerPeriod: 5\n",
                false,
                "c.yaml:6:",
                "tier 2: slug 'plus' is already used on line 2");
        assertProblem("tiers: []\n", false, "c.yaml:1:", "'tiers' is an empty list");
        assertProblem("tiers:\n  - just a string\n", false, "c.yaml:2:", "tier 1 must be an object");
        assertProblem("tiers: plus\n", false, "c.yaml:1:", "'tiers' must be a list of tiers");
        assertProblem("{}\n", true, "c.yaml:1:", "expected 'packages'");
    }

    @Test
    void shouldApplyDefaultsAndAliases() {
        List<Catalog.Entry> entries = Catalog.parse("""
                - slug: pro-2m
                  name: Pro
                  tokens: "2,000,000"
                  price: 60
                  currency: eur
                  is_active: false
                """, "c.yaml", false).packages();

        var definition = entries.get(0).definition();
        assertThat(definition.packageType()).isEqualTo("pro");
        assertThat(definition.tokenAmount()).isEqualTo(2_000_000);
        assertThat(definition.price()).isEqualTo(Money.of(6000, "EUR"));
        assertThat(definition.active()).isFalse();
        assertThat(definition.sortOrder()).isEqualTo(1);
        assertThat(definition.description()).isEmpty();
        assertThat(entries.get(0).line()).isEqualTo(1);
    }

    @Test
    void shouldReadAnOptionalValidityPeriodInDays() {
        List<Catalog.Entry> entries = Catalog.parse("""
                - slug: monthly-1m
                  name: Monthly
                  tokens: 1000000
                  price: 30
                  validityDays: 30
                - slug: yearly-10m
                  name: Yearly
                  tokens: 10000000
                  price: 250
                  validity_days: 365
                - slug: forever-100k
                  name: Forever
                  tokens: 100000
                  price: 5
                """, "c.yaml", false).packages();

        assertThat(entries)
                .extracting(entry -> entry.definition().validityDays())
                .containsExactly(java.util.Optional.of(30), java.util.Optional.of(365), java.util.Optional.empty());
    }

    @Test
    void shouldConvertPricesToStripesMinorUnitsForTheirCurrency() {
        List<Catalog.Entry> entries = Catalog.parse("""
                - slug: yen-1m
                  name: Yen
                  tokens: 1000000
                  price: 500
                  currency: JPY
                - slug: ariary-1m
                  name: Ariary
                  tokens: 1000000
                  price: "2,000"
                  currency: MGA
                - slug: krona-1m
                  name: Krona
                  tokens: 1000000
                  price: 5
                  currency: isk
                - slug: shilling-1m
                  name: Shilling
                  tokens: 1000000
                  price: "7000.00"
                  currency: UGX
                - slug: dinar-1m
                  name: Dinar
                  tokens: 1000000
                  price: 5.12
                  currency: KWD
                - slug: forint-1m
                  name: Forint
                  tokens: 1000000
                  price: "10.45"
                  currency: HUF
                - slug: dollar-1m
                  name: Dollar
                  tokens: 1000000
                  price: "$12.34"
                """, "c.yaml", false).packages();

        assertThat(entries)
                .extracting(entry -> entry.definition().price())
                .containsExactly(
                        Money.of(500, "JPY"),
                        Money.of(2000, "MGA"),
                        Money.of(500, "ISK"),
                        Money.of(700_000, "UGX"),
                        Money.of(5120, "KWD"),
                        Money.of(1045, "HUF"),
                        Money.of(1234, "USD"));
    }

    @Test
    void shouldRefusePricesStripeCannotTake() {
        String head = "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n";
        assertProblem(
                head + "    price: 1.005\n",
                false,
                "c.yaml:5:",
                "package 1 ('a-1'): price: 1.005 has more decimals than USD allows (2)");
        assertProblem(
                head + "    price: 500.5\n    currency: JPY\n",
                false,
                "c.yaml:5:",
                "price: 500.5 has more decimals than JPY allows (0)");
        assertProblem(
                head + "    price: 1.5\n    currency: MGA\n", false, "c.yaml:5:", "more decimals than MGA allows (0)");
        assertProblem(
                head + "    price: 5.50\n    currency: ISK\n",
                false,
                "c.yaml:5:",
                "price: Stripe charges ISK only in multiples of 1.00 ISK, was 5.50");
        assertProblem(
                head + "    price: 7000.5\n    currency: UGX\n",
                false,
                "c.yaml:5:",
                "Stripe charges UGX only in multiples of 1.00 UGX");
        assertProblem(
                head + "    price: 5.124\n    currency: KWD\n",
                false,
                "c.yaml:5:",
                "price: Stripe charges KWD only in multiples of 0.010 KWD, was 5.124");
        assertProblem(
                head + "    price: 5.1245\n    currency: BHD\n",
                false,
                "c.yaml:5:",
                "more decimals than BHD allows (3)");
        assertProblem(head + "    price: 99999999999999999999\n", false, "c.yaml:5:", "is too large");
    }

    @Test
    void shouldNameTheLineOfEachKindOfProblem() {
        assertProblem(
                "packages:\n  - slug: Bad Slug\n    name: X\n    tokenAmount: 5\n    price: 1\n",
                false,
                "c.yaml:2:",
                "slug");
        assertProblem(
                "packages:\n  - slug: a-1\n    tokenAmount: 5\n    price: 1\n",
                false,
                "c.yaml:2:",
                "'name' is missing");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: many\n    price: 1\n",
                false,
                "c.yaml:4:",
                "tokenAmount must be a whole number");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n    price: free\n",
                false,
                "c.yaml:5:",
                "price must be");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n    price: 1\n    currency: XYZ\n",
                false,
                "c.yaml:6:",
                "not an ISO 4217 code");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n    price: 1\n  - slug: a-1\n    name: B\n"
                        + "    tokenAmount: 5\n    price: 1\n",
                false,
                "c.yaml:6:",
                "already used on line 2");
        assertProblem("products: []\n", false, "c.yaml:1:", "unknown top-level field 'products'");
        assertProblem("", false, "c.yaml:1:", "empty");
        assertProblem(
                "{\"packages\": [\n  {\"slug\": \"a-1\",\n   \"name\": \"A\",,\n", true, "c.yaml:3:", "malformed JSON");
        assertProblem("packages:\n  - just a string\n", false, "c.yaml:2:", "must be an object");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n    price: 1\n    validityDays: 0\n",
                false,
                "c.yaml:6:",
                "validityDays must be a positive whole number of days",
                "was 0");
        assertProblem(
                "packages:\n  - slug: a-1\n    name: A\n    tokenAmount: 5\n    price: 1\n    validityDays: a month\n",
                false,
                "c.yaml:6:",
                "validityDays must be a positive whole number");
    }

    private static void assertProblem(String text, boolean json, String... fragments) {
        assertThatThrownBy(() -> Catalog.parse(text, "c.yaml", json))
                .isInstanceOfSatisfying(
                        CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContainingAll(fragments);
    }
}
