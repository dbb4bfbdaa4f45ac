package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code billing seed}: its report, idempotence, catalog files and their errors. The catalog
 * belongs to the whole schema, so each test has a fresh, migrated one and seeds what it needs.
 */
class SeedCommandTest {

    /** Raises Starter's price from $5.00 to $6.00 and adds Mega (no validity period). */
    private static final String STARTER_AT_6_AND_MEGA = """
            packages:
              - slug: starter-100k
                name: Starter
                tokenAmount: 100000
                price: "6.00"
                description: 100,000 AI tokens - perfect for occasional extra requests
                sortOrder: 1
              - slug: mega-5m
                name: Mega
                tokens: 5,000,000
                price: 150
                sortOrder: 4
            """;

    private final Cli cli = Cli.forClass(SeedCommandTest.class);

    @TempDir
    Path dir;

    @BeforeEach
    void migrate() {
        cli.migrated();
    }

    @Test
    void shouldReportWhatADryRunWouldCreateAndWriteNothing() {
        Result result = cli.run("seed", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .contains(
                        "📋 Seeding Subscription Tiers",
                        "  ✅ Would create: Free / Explorer ($0.00/mo)",
                        "  ✅ Would create: Plus ($10.00/mo, $100.00/yr) - 600,000 tokens per month",
                        "  ✅ Would create: Starter - 100,000 tokens for $5.00");
        assertThat(result.out()).contains("Dry run complete: 6 to create, 0 to update, 0 unchanged; nothing written.");
        assertThat(cli.run("packages", "--all").out()).contains("No packages");
        assertThat(cli.run("tiers", "--all").out()).contains("No tiers");
    }

    @Test
    void shouldSeedTheDefaultCatalogAndReportEachTierThenEachPackage() {
        Result result = cli.run("seed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .containsExactly(
                        "🌱 Seeding billing data...",
                        "",
                        "📋 Seeding Subscription Tiers",
                        "  ✅ Created: Free / Explorer ($0.00/mo)",
                        "  ✅ Created: Plus ($10.00/mo, $100.00/yr) - 600,000 tokens per month",
                        "  ✅ Created: Pro ($25.00/mo, $250.00/yr) - 2,000,000 tokens per month, up to 500,000 unused"
                                + " roll over",
                        "",
                        "🪙  Seeding Token Packages",
                        "  ✅ Created: Starter - 100,000 tokens for $5.00",
                        "  ✅ Created: Booster - 500,000 tokens for $20.00",
                        "  ✅ Created: Power - 1,000,000 tokens for $35.00",
                        "",
                        "✅ Billing data seeded successfully!");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void shouldChangeNothingOnASecondRun() {
        cli.runOk("seed");

        Result result = cli.run("seed");

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines())
                .contains(
                        "  ⏭  Unchanged: Free / Explorer ($0.00/mo)",
                        "  ⏭  Unchanged: Plus ($10.00/mo, $100.00/yr) - 600,000 tokens per month",
                        "  ⏭  Unchanged: Starter - 100,000 tokens for $5.00",
                        "  ⏭  Unchanged: Booster - 500,000 tokens for $20.00",
                        "  ⏭  Unchanged: Power - 1,000,000 tokens for $35.00",
                        "✅ Billing data seeded successfully!");
        assertThat(result.out()).doesNotContain("Created", "Updated");
    }

    @Test
    void shouldUpsertFromAYamlCatalogAndReportTheChange() throws Exception {
        cli.runOk("seed");
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, STARTER_AT_6_AND_MEGA);

        Result result = cli.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .contains(
                        "  🔄 Updated: Starter - 100,000 tokens for $6.00 (price $5.00 → $6.00)",
                        "  ✅ Created: Mega - 5,000,000 tokens for $150.00");
        Result packages = cli.run("packages", "--output", "json");
        assertThat(packages.out())
                .contains("\"slug\": \"mega-5m\"", "\"packageType\": \"mega\"", "\"price\": \"150.00\"");
    }

    @Test
    void shouldReadAJsonCatalog() throws Exception {
        seedWithStarterAt6AndMega();
        Path catalog = dir.resolve("catalog.json");
        Files.writeString(catalog, """
                {"packages": [
                  {"slug": "starter-100k", "name": "Starter", "tokenAmount": 100000, "price": "5.00",
                   "description": "100,000 AI tokens - perfect for occasional extra requests", "sortOrder": 1}
                ]}
                """);

        Result result = cli.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).contains("  🔄 Updated: Starter - 100,000 tokens for $5.00 (price $6.00 → $5.00)");
    }

    @Test
    void shouldNameTheLineOfAMalformedYamlFile() throws Exception {
        Path catalog = dir.resolve("broken.yaml");
        Files.writeString(catalog, """
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000: many
                    price: "5.00"
                """);

        Result result = cli.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("broken.yaml:4: malformed YAML:").doesNotContain("\tat ");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    void shouldNameTheLineAndFieldOfAnInvalidEntry() throws Exception {
        seedWithStarterAt6AndMega(); // Mega's $150.00 sets the width of the PRICE column below
        Path catalog = dir.resolve("invalid.yaml");
        Files.writeString(catalog, """
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000
                    price: "5.00"
                  - slug: booster-500k
                    name: Booster
                    tokenAmount: -5
                    price: "20.00"
                """);

        Result result = cli.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err())
                .contains("invalid.yaml:8: package 2 ('booster-500k'): tokenAmount: must be positive, was -5");
        assertThat(cli.run("packages").out()).contains("booster-500k  Booster  booster    500,000   $20.00");
    }

    @Test
    void shouldNameTheLineOfAnUnknownFieldAndABadPrice() throws Exception {
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(
                unknown,
                "{\"packages\": [\n  {\"slug\": \"a-1\", \"name\": \"A\",\n   \"tokenz\": 5, \"price\": 1}\n]}\n");
        Path price = dir.resolve("price.yaml");
        Files.writeString(price, "- slug: a-1\n  name: A\n  tokenAmount: 5\n  price: 1.005\n");

        Result unknownField = cli.run("seed", "--catalog", unknown.toString());
        Result badPrice = cli.run("seed", "--catalog", price.toString());

        assertThat(unknownField.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknownField.err()).contains("unknown.json:3: package 1: unknown field 'tokenz'");
        assertThat(badPrice.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badPrice.err()).contains("price.yaml:4:", "price: 1.005 has more decimals than USD allows (2)");
    }

    @Test
    void shouldReportAMissingCatalogFile() {
        Result result = cli.run("seed", "--catalog", dir.resolve("nope.yaml").toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("nope.yaml does not exist");
    }

    @Test
    void shouldReportSeedAsJson() {
        cli.runOk("seed");

        Result result = cli.run("seed", "--output", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains(
                        "\"dryRun\": false",
                        "\"slug\": \"starter-100k\"",
                        "\"change\": \"unchanged\"",
                        "\"tokenAmount\": 100000",
                        "\"price\": \"5.00\"",
                        "\"summary\"");
        assertThat(result.out()).doesNotContain("🌱");
        assertThat(result.out())
                .contains(
                        "\"tiers\": [",
                        "\"slug\": \"plus\"",
                        "\"monthlyPrice\": \"10.00\"",
                        "\"yearlyPrice\": \"100.00\"",
                        "\"tokensPerPeriod\": 600000",
                        "\"rolloverCap\": 500000",
                        "\"tiersUnchanged\": 3");
    }

    @Test
    void shouldReportTiersAsJsonAndCsvBesideThePackages() throws Exception {
        Result json = cli.run("seed", "--output", "json");
        Result csv = cli.run("seed", "--output", "csv");

        assertThat(json.exitCode()).as(json.toString()).isZero();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(tree.fieldNames())
                .toIterable()
                .containsExactly("dryRun", "withStripe", "packages", "tiers", "summary");
        assertThat(tree.get("packages")).hasSize(3);
        assertThat(tree.get("tiers")).hasSize(3);
        assertThat(tree.get("tiers").get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "slug",
                        "name",
                        "change",
                        "monthlyPrice",
                        "yearlyPrice",
                        "currency",
                        "tokensPerPeriod",
                        "rolloverCap",
                        "active",
                        "free",
                        "stripeChange",
                        "stripeProductId",
                        "stripeMonthlyPriceId",
                        "stripeYearlyPriceId");
        assertThat(tree.get("tiers").get(0).get("free").asBoolean()).isTrue();
        assertThat(tree.get("tiers").get(0).get("yearlyPrice").isNull()).isTrue();
        assertThat(tree.get("summary").get("created").asInt()).isEqualTo(3);
        assertThat(tree.get("summary").get("tiersCreated").asInt()).isEqualTo(3);
        assertThat(csv.lines().get(0))
                .isEqualTo("slug,name,change,tokenAmount,price,currency,active,stripeChange,stripeProductId,"
                        + "stripePriceId,validityDays,kind,yearlyPrice,rolloverCap,stripeYearlyPriceId");
        assertThat(csv.lines().get(1)).isEqualTo("starter-100k,Starter,unchanged,100000,5.00,USD,true,,,,,package,,,");
        assertThat(csv.lines()).hasSize(7).contains("pro,Pro,unchanged,2000000,25.00,USD,true,,,,,tier,250.00,500000,");
    }

    @Test
    void shouldUpsertTiersFromACatalogAndReportTheChange() throws Exception {
        cli.runOk("seed");
        Path catalog = dir.resolve("tiers.yaml");
        Files.writeString(catalog, """
                tiers:
                  - slug: plus
                    name: Plus
                    monthlyPrice: "12.00"
                    tokensPerPeriod: 600,000
                    rolloverCap: 100000
                    description: 600,000 AI tokens every month
                    sortOrder: 1
                  - slug: team
                    name: Team
                    monthlyPrice: 49
                    yearlyPrice: 490
                    tokensPerPeriod: 5000000
                    sortOrder: 3
                """);

        Result dryRun = cli.run("seed", "--catalog", catalog.toString(), "--dry-run");
        Result result = cli.run("seed", "--catalog", catalog.toString());
        Result again = cli.run("seed", "--catalog", catalog.toString());

        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.lines())
                .contains(
                        "  🔄 Would update: Plus ($12.00/mo) - 600,000 tokens per month, up to 100,000 unused roll over"
                                + " (monthly price $10.00 → $12.00, yearly price $100.00 → none, rollover cap none →"
                                + " 100,000)",
                        "  ✅ Would create: Team ($49.00/mo, $490.00/yr) - 5,000,000 tokens per month");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .containsExactly(
                        "🌱 Seeding billing data...",
                        "",
                        "📋 Seeding Subscription Tiers",
                        "  🔄 Updated: Plus ($12.00/mo) - 600,000 tokens per month, up to 100,000 unused roll over"
                                + " (monthly price $10.00 → $12.00, yearly price $100.00 → none, rollover cap none →"
                                + " 100,000)",
                        "  ✅ Created: Team ($49.00/mo, $490.00/yr) - 5,000,000 tokens per month",
                        "",
                        "✅ Billing data seeded successfully!");
        assertThat(again.out()).contains("  ⏭  Unchanged: Team").doesNotContain("Updated", "Created");
    }

    @Test
    void shouldNameTheLineOfAnInvalidTierAndWriteNothing() throws Exception {
        Path catalog = dir.resolve("bad-tier.yaml");
        Files.writeString(catalog, """
                tiers:
                  - slug: free
                    name: Free
                    monthlyPrice: 0
                    yearlyPrice: 10
                    tokensPerPeriod: 1000
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000
                    price: "5.00"
                """);

        Result result = cli.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err())
                .contains("bad-tier.yaml:5: tier 1 ('free'): yearlyPrice: a free tier has no yearly price");
        assertThat(cli.run("packages", "--all").out()).contains("No packages");
    }

    @Test
    void shouldSeedTheDefaultEmbeddedDatabaseWithANote() {
        Cli embedded = Cli.forClass(SeedCommandTest.class).withDefaultDatabase();

        Result result = embedded.run("seed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err())
                .contains("note: no --database-url or BILLING_DATABASE_URL given; using the test's embedded PostgreSQL,"
                        + " migrated automatically");
        assertThat(result.out()).contains("  ✅ Created: Power - 1,000,000 tokens for $35.00");
    }

    @Test
    void shouldSeedAValidityPeriodAndShowItInPackages() throws Exception {
        seedWithStarterAt6AndMega();
        Path catalog = dir.resolve("validity.yaml");
        Files.writeString(catalog, """
                packages:
                  - slug: mega-5m
                    name: Mega
                    tokens: 5,000,000
                    price: 150
                    sortOrder: 4
                    validityDays: 30
                """);

        Result result = cli.run("seed", "--catalog", catalog.toString());
        Result again = cli.run("seed", "--catalog", catalog.toString(), "-o", "json");
        Result packages = cli.run("packages");
        Result json = cli.run("packages", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .contains("  🔄 Updated: Mega - 5,000,000 tokens for $150.00, valid 30 days (validity none → 30 days)");
        assertThat(again.out()).contains("\"change\": \"unchanged\"", "\"validityDays\": 30");
        assertThat(packages.lines().get(0)).endsWith("VALIDITY");
        assertThat(packages.out())
                .containsPattern("mega-5m\\s+Mega.*\\s30 days\\n")
                .containsPattern("starter-100k.*\\snever\\n");
        assertThat(json.out()).contains("\"validityDays\": 30", "\"validityDays\": null");
    }

    /** The default catalog, then {@link #STARTER_AT_6_AND_MEGA} over it. */
    private void seedWithStarterAt6AndMega() throws Exception {
        cli.runOk("seed");
        cli.runOk(
                "seed",
                "--catalog",
                Files.writeString(dir.resolve("starter-at-6-and-mega.yaml"), STARTER_AT_6_AND_MEGA)
                        .toString());
    }
}
