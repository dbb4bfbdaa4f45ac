package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** {@code billing seed}: the seed's report, idempotence, catalog files and their errors. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedCommandTest {

    private static final Cli CLI = Cli.forClass(SeedCommandTest.class);

    @TempDir
    Path dir;

    @Test
    @Order(1)
    void shouldReportWhatADryRunWouldCreateAndWriteNothing() {
        CLI.run("migrate");

        Result result = CLI.run("seed", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).contains("  ✅ Would create: Starter - 100,000 tokens for $5.00");
        assertThat(result.out()).contains("Dry run complete: 3 to create, 0 to update, 0 unchanged; nothing written.");
        assertThat(CLI.run("packages", "--all").out()).contains("No packages");
    }

    @Test
    @Order(2)
    void shouldSeedTheDefaultCatalogInTheSeedsReportStyle() {
        Result result = CLI.run("seed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).containsExactly(
                "🌱 Seeding billing data...",
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
    @Order(3)
    void shouldChangeNothingOnASecondRun() {
        Result result = CLI.run("seed");

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).contains(
                "  ⏭  Unchanged: Starter - 100,000 tokens for $5.00",
                "  ⏭  Unchanged: Booster - 500,000 tokens for $20.00",
                "  ⏭  Unchanged: Power - 1,000,000 tokens for $35.00",
                "✅ Billing data seeded successfully!");
        assertThat(result.out()).doesNotContain("Created", "Updated");
    }

    @Test
    @Order(4)
    void shouldUpsertFromAYamlCatalogAndReportTheChange() throws Exception {
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, """
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
                """);

        Result result = CLI.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).contains(
                "  🔄 Updated: Starter - 100,000 tokens for $6.00 (price $5.00 → $6.00)",
                "  ✅ Created: Mega - 5,000,000 tokens for $150.00");
        Result packages = CLI.run("packages", "--output", "json");
        assertThat(packages.out()).contains("\"slug\": \"mega-5m\"", "\"packageType\": \"mega\"", "\"price\": \"150.00\"");
    }

    @Test
    @Order(5)
    void shouldReadAJsonCatalog() throws Exception {
        Path catalog = dir.resolve("catalog.json");
        Files.writeString(catalog, """
                {"packages": [
                  {"slug": "starter-100k", "name": "Starter", "tokenAmount": 100000, "price": "5.00",
                   "description": "100,000 AI tokens - perfect for occasional extra requests", "sortOrder": 1}
                ]}
                """);

        Result result = CLI.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).contains("  🔄 Updated: Starter - 100,000 tokens for $5.00 (price $6.00 → $5.00)");
    }

    @Test
    @Order(6)
    void shouldNameTheLineOfAMalformedYamlFile() throws Exception {
        Path catalog = dir.resolve("broken.yaml");
        Files.writeString(catalog, """
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000: many
                    price: "5.00"
                """);

        Result result = CLI.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("broken.yaml:4: malformed YAML:").doesNotContain("\tat ");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    @Order(7)
    void shouldNameTheLineAndFieldOfAnInvalidEntry() throws Exception {
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

        Result result = CLI.run("seed", "--catalog", catalog.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("invalid.yaml:8: package 2 ('booster-500k'): tokenAmount: must be positive, was -5");
        assertThat(CLI.run("packages").out()).contains("booster-500k  Booster  booster    500,000   $20.00");
    }

    @Test
    @Order(8)
    void shouldNameTheLineOfAnUnknownFieldAndABadPrice() throws Exception {
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, "{\"packages\": [\n  {\"slug\": \"a-1\", \"name\": \"A\",\n   \"tokenz\": 5, \"price\": 1}\n]}\n");
        Path price = dir.resolve("price.yaml");
        Files.writeString(price, "- slug: a-1\n  name: A\n  tokenAmount: 5\n  price: 1.005\n");

        Result unknownField = CLI.run("seed", "--catalog", unknown.toString());
        Result badPrice = CLI.run("seed", "--catalog", price.toString());

        assertThat(unknownField.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknownField.err()).contains("unknown.json:3: package 1: unknown field 'tokenz'");
        assertThat(badPrice.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badPrice.err()).contains("price.yaml:4:", "price: 1.005 has more decimals than USD allows (2)");
    }

    @Test
    @Order(9)
    void shouldReportAMissingCatalogFile() {
        Result result = CLI.run("seed", "--catalog", dir.resolve("nope.yaml").toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("nope.yaml does not exist");
    }

    @Test
    @Order(10)
    void shouldReportSeedAsJson() {
        Result result = CLI.run("seed", "--output", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("\"dryRun\": false", "\"slug\": \"starter-100k\"", "\"change\": \"unchanged\"",
                "\"tokenAmount\": 100000", "\"price\": \"5.00\"", "\"summary\"");
        assertThat(result.out()).doesNotContain("🌱");
    }

    @Test
    @Order(11)
    void shouldSeedTheDefaultEmbeddedDatabaseWithANote() {
        Cli embedded = Cli.forClass(SeedCommandTest.class).withDefaultDatabase();

        Result result = embedded.run("seed");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).contains("note: no --database-url or BILLING_DATABASE_URL given; using the test's embedded PostgreSQL,"
                + " migrated automatically");
        assertThat(result.out()).contains("  ✅ Created: Power - 1,000,000 tokens for $35.00");
    }

    @Test
    @Order(12)
    void shouldSeedAValidityPeriodAndShowItInPackages() throws Exception {
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

        Result result = CLI.run("seed", "--catalog", catalog.toString());
        Result again = CLI.run("seed", "--catalog", catalog.toString(), "-o", "json");
        Result packages = CLI.run("packages");
        Result json = CLI.run("packages", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).contains("  🔄 Updated: Mega - 5,000,000 tokens for $150.00, valid 30 days (validity none → 30 days)");
        assertThat(again.out()).contains("\"change\": \"unchanged\"", "\"validityDays\": 30");
        assertThat(packages.lines().get(0)).endsWith("VALIDITY");
        assertThat(packages.out()).containsPattern("mega-5m\\s+Mega.*\\s30 days\\n").containsPattern("starter-100k.*\\snever\\n");
        assertThat(json.out()).contains("\"validityDays\": 30", "\"validityDays\": null");
    }
}
