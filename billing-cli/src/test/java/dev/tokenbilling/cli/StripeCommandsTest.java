package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.param.PaymentIntentConfirmParams;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Ports;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.FaultKind;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Stripe side against FakeStripe: seed --with-stripe, stripe sync, purchases, retry, webhooks; and Stripe's failures.
 * The catalog, stuck purchases and webhook events belong to a whole schema (and Stripe's objects to a whole FakeStripe),
 * so each test has a FakeStripe and a migrated schema of its own, and seeds and buys what it needs.
 */
class StripeCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeStripe fake;
    private Cli cli;
    private TokenBilling library;

    @BeforeEach
    void start() {
        fake = FakeStripe.start();
        cli = Cli.forClass(StripeCommandsTest.class)
                .stripe(fake.apiBase(), FakeStripe.SECRET_KEY)
                .migrated();
        library = cli.library(StripeApi.builder()
                .secretKey(FakeStripe.SECRET_KEY)
                .apiBase(URI.create(fake.apiBase()))
                .build());
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void shouldSeedAndSyncToStripeAndReportEachTierAndPackage() {
        Result result = cli.run("seed", "--with-stripe");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> lines = result.lines();
        assertThat(lines.subList(0, 4))
                .containsExactly(
                        "🌱 Seeding billing data...",
                        "",
                        "📋 Seeding Subscription Tiers",
                        "  ✅ Created: Free / Explorer ($0.00/mo)");
        // The free tier is never on Stripe: no line under it.
        assertThat(lines.get(4)).isEqualTo("  ✅ Created: Plus ($10.00/mo, $100.00/yr) - 600,000 tokens per month");
        assertThat(lines.get(5)).matches("    ✅ Synced to Stripe: Plus \\(product=prod_\\w+\\)");
        assertThat(lines.get(6))
                .isEqualTo("  ✅ Created: Pro ($25.00/mo, $250.00/yr) - 2,000,000 tokens per month, up to 500,000 unused"
                        + " roll over");
        assertThat(lines.get(7)).matches("    ✅ Synced to Stripe: Pro \\(product=prod_\\w+\\)");
        assertThat(lines.subList(8, 10)).containsExactly("", "🪙  Seeding Token Packages");
        assertThat(lines.get(10)).isEqualTo("  ✅ Created: Starter - 100,000 tokens for $5.00");
        assertThat(lines.get(11)).matches("    ✅ Synced to Stripe: Starter \\(product=prod_\\w+\\)");
        assertThat(lines.get(12)).isEqualTo("  ✅ Created: Booster - 500,000 tokens for $20.00");
        assertThat(lines.get(13)).matches("    ✅ Synced to Stripe: Booster \\(product=prod_\\w+\\)");
        assertThat(lines.get(14)).isEqualTo("  ✅ Created: Power - 1,000,000 tokens for $35.00");
        assertThat(lines.get(15)).matches("    ✅ Synced to Stripe: Power \\(product=prod_\\w+\\)");
        assertThat(lines.subList(16, lines.size())).containsExactly("", "✅ Billing data seeded successfully!");
        assertThat(fake.objects("product")).hasSize(5);
        assertThat(fake.objects("price"))
                .filteredOn(price -> price.path("recurring").isObject())
                .extracting(price -> price.path("unit_amount").asLong() + "/"
                        + price.path("recurring").path("interval").asText())
                .containsExactlyInAnyOrder("1000/month", "10000/year", "2500/month", "25000/year");
    }

    @Test
    void shouldChangeNothingInTheDatabaseOrStripeOnASecondRun() {
        cli.runOk("seed", "--with-stripe");
        int requestsBefore = fake.objects("price").size();

        Result result = cli.run("seed", "--with-stripe");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains("  ⏭  Unchanged: Starter - 100,000 tokens for $5.00")
                .doesNotContain("Created", "Synced");
        assertThat(result.out()).containsPattern("    ⏭  Unchanged in Stripe: Booster \\(product=prod_\\w+\\)");
        assertThat(result.out())
                .contains("  ⏭  Unchanged: Free / Explorer ($0.00/mo)\n  ⏭  Unchanged: Plus")
                .containsPattern("    ⏭  Unchanged in Stripe: Pro \\(product=prod_\\w+\\)");
        assertThat(fake.objects("price")).hasSize(requestsBefore);
    }

    @Test
    void shouldReportTheStripeIdsOfEachPaidTierAsJsonAndNoneForTheFreeOne() throws Exception {
        cli.runOk("seed", "--with-stripe");

        JsonNode json =
                JSON.readTree(cli.run("seed", "--with-stripe", "-o", "json").out());

        JsonNode explorer = json.get("tiers").get(0);
        JsonNode plus = json.get("tiers").get(1);
        assertThat(explorer.get("slug").asText()).isEqualTo("explorer");
        assertThat(explorer.get("stripeChange").isNull()).isTrue();
        assertThat(explorer.get("stripeProductId").isNull()).isTrue();
        assertThat(plus.get("change").asText()).isEqualTo("unchanged");
        assertThat(plus.get("stripeChange").asText()).isEqualTo("unchanged");
        assertThat(plus.get("stripeProductId").asText()).startsWith("prod_");
        assertThat(plus.get("stripeMonthlyPriceId").asText()).startsWith("price_");
        assertThat(plus.get("stripeYearlyPriceId").asText()).startsWith("price_");
        assertThat(json.get("packages").get(0).get("stripePriceId").asText()).startsWith("price_");
    }

    @Test
    void shouldGiveAChangedTierANewRecurringPriceOnSeedWithStripe(@TempDir Path dir) throws Exception {
        cli.runOk("seed", "--with-stripe");
        String before = JSON.readTree(cli.run("tiers", "-o", "json").out())
                .get(1)
                .get("stripeMonthlyPriceId")
                .asText();
        Path catalog = Files.writeString(dir.resolve("plus-at-12.yaml"), """
                tiers:
                  - slug: plus
                    name: Plus
                    monthlyPrice: "12.00"
                    yearlyPrice: "100.00"
                    tokensPerPeriod: 600000
                    description: 600,000 AI tokens every month
                    sortOrder: 1
                """);

        Result result = cli.run("seed", "--with-stripe", "--catalog", catalog.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .contains(
                        "  🔄 Updated: Plus ($12.00/mo, $100.00/yr) - 600,000 tokens per month (monthly price $10.00 →"
                                + " $12.00)");
        assertThat(result.out())
                .containsPattern("    ✅ Synced to Stripe: Plus \\(product=prod_\\w+\\)")
                .doesNotContain("Seeding Token Packages");
        JsonNode plus = JSON.readTree(cli.run("tiers", "-o", "json").out()).get(1);
        assertThat(plus.get("monthlyPrice").asText()).isEqualTo("12.00");
        assertThat(plus.get("stripeMonthlyPriceId").asText())
                .startsWith("price_")
                .isNotEqualTo(before);
        assertThat(fake.object(plus.get("stripeMonthlyPriceId").asText())
                        .orElseThrow()
                        .path("unit_amount")
                        .asLong())
                .isEqualTo(1200);
    }

    @Test
    void shouldListPackagesWithPricePerMillionAndStripeIds() throws Exception {
        cli.runOk("seed", "--with-stripe");

        Result table = cli.run("packages");
        JsonNode json = JSON.readTree(cli.run("packages", "--output", "json").out());
        Result csv = cli.run("packages", "--output", "csv");

        assertThat(table.lines().get(0))
                .contains("SLUG", "NAME", "TOKENS", "PRICE", "PER 1M", "STRIPE PRODUCT", "STRIPE PRICE");
        assertThat(table.out())
                .containsPattern(
                        "booster-500k\\s+Booster\\s+booster\\s+500,000\\s+\\$20.00\\s+\\$40.00\\s+yes\\s+prod_\\w+\\s+price_\\w+");
        assertThat(json).hasSize(3);
        assertThat(json.get(1).fieldNames())
                .toIterable()
                .containsExactly(
                        "slug",
                        "name",
                        "packageType",
                        "tokenAmount",
                        "price",
                        "currency",
                        "pricePerMillionTokens",
                        "active",
                        "stripeProductId",
                        "stripePriceId",
                        "description",
                        "sortOrder",
                        "validityDays");
        assertThat(json.get(1).get("validityDays").isNull()).isTrue();
        assertThat(json.get(1).get("price").asText()).isEqualTo("20.00");
        assertThat(json.get(1).get("pricePerMillionTokens").asText()).isEqualTo("40.00");
        assertThat(json.get(1).get("stripePriceId").asText()).startsWith("price_");
        assertThat(csv.lines().get(0))
                .isEqualTo("slug,name,packageType,tokenAmount,price,currency,pricePerMillionTokens,active,"
                        + "stripeProductId,stripePriceId,description,sortOrder,validityDays");
        assertThat(csv.lines().get(1))
                .startsWith("starter-100k,Starter,starter,100000,5.00,USD,50.00,true,prod_")
                .endsWith(",\"100,000 AI tokens - perfect for occasional extra requests\",1,");
        assertThat(table.lines().get(0)).endsWith("VALIDITY");
        assertThat(table.lines().get(1)).endsWith("never");
    }

    @Test
    void shouldSyncTheCatalogAloneAndReportUnchanged() throws Exception {
        cli.runOk("seed", "--with-stripe");

        Result dryRun = cli.run("stripe", "sync", "--dry-run");
        Result sync = cli.run("stripe", "sync");
        JsonNode json = JSON.readTree(cli.run("stripe", "sync", "-o", "json").out());

        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out())
                .contains(
                        "Dry run: 3 packages checked: 0 created, 0 updated, 3 unchanged, 0 archived; nothing changed.");
        assertThat(sync.out()).contains("Synced 3 packages to Stripe: 0 created, 0 updated, 3 unchanged, 0 archived.");
        assertThat(dryRun.out())
                .contains(
                        "Subscription tiers:",
                        "Token packages:",
                        "Dry run: 3 tiers checked: 0 created, 0 updated, 3 unchanged, 0 archived; nothing changed.")
                .containsPattern("explorer\\s+unchanged\\s+-\\s+-\\s+-\\s+free tier, not sold on Stripe")
                .containsPattern("plus\\s+unchanged\\s+prod_\\w+\\s+price_\\w+\\s+price_\\w+");
        assertThat(sync.out()).contains("Synced 3 tiers to Stripe: 0 created, 0 updated, 3 unchanged, 0 archived.");
        assertThat(json).hasSize(6);
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly("slug", "change", "productId", "priceId", "detail", "kind", "yearlyPriceId");
        assertThat(json.get(0).get("change").asText()).isEqualTo("unchanged");
        assertThat(json.get(0).get("kind").asText()).isEqualTo("package");
        JsonNode pro = json.get(5);
        assertThat(pro.get("slug").asText()).isEqualTo("pro");
        assertThat(pro.get("kind").asText()).isEqualTo("tier");
        assertThat(pro.get("priceId").asText()).startsWith("price_");
        assertThat(pro.get("yearlyPriceId").asText())
                .startsWith("price_")
                .isNotEqualTo(pro.get("priceId").asText());
    }

    @Test
    void shouldSyncANewTierAndListTiersWithTheirStripeIds() throws Exception {
        cli.runOk("seed");

        Result before = cli.run("tiers");
        Result sync = cli.run("stripe", "sync");
        Result table = cli.run("tiers");
        JsonNode json = JSON.readTree(cli.run("tiers", "--output", "json").out());
        Result csv = cli.run("tiers", "--output", "csv");

        assertThat(before.err()).contains("note: paid tiers without their Stripe prices cannot be subscribed to");
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        assertThat(sync.out())
                .containsPattern("plus\\s+created\\s+prod_\\w+\\s+price_\\w+\\s+price_\\w+")
                .contains("Synced 3 tiers to Stripe: 2 created, 0 updated, 1 unchanged, 0 archived.");
        assertThat(table.lines().get(0))
                .contains(
                        "SLUG",
                        "NAME",
                        "MONTHLY",
                        "YEARLY",
                        "TOKENS/MONTH",
                        "ROLLOVER CAP",
                        "ACTIVE",
                        "STRIPE PRODUCT",
                        "MONTHLY PRICE",
                        "YEARLY PRICE");
        assertThat(table.out())
                .containsPattern("explorer\\s+Explorer\\s+free\\s+-\\s+50,000\\s+-\\s+yes\\s+\\(free\\)\\s+-\\s+-")
                .containsPattern(
                        "pro\\s+Pro\\s+\\$25.00\\s+\\$250.00\\s+2,000,000\\s+500,000\\s+yes\\s+prod_\\w+\\s+price_\\w+\\s+price_\\w+");
        assertThat(table.err()).isEmpty();
        assertThat(json).hasSize(3);
        assertThat(json.get(1).fieldNames())
                .toIterable()
                .containsExactly(
                        "slug",
                        "name",
                        "monthlyPrice",
                        "yearlyPrice",
                        "currency",
                        "tokensPerPeriod",
                        "rolloverCap",
                        "active",
                        "free",
                        "stripeProductId",
                        "stripeMonthlyPriceId",
                        "stripeYearlyPriceId",
                        "description",
                        "sortOrder");
        assertThat(json.get(1).get("monthlyPrice").asText()).isEqualTo("10.00");
        assertThat(json.get(1).get("yearlyPrice").asText()).isEqualTo("100.00");
        assertThat(json.get(1).get("rolloverCap").isNull()).isTrue();
        assertThat(json.get(0).get("yearlyPrice").isNull()).isTrue();
        assertThat(json.get(0).get("stripeProductId").isNull()).isTrue();
        assertThat(csv.lines().get(0))
                .isEqualTo("slug,name,monthlyPrice,yearlyPrice,currency,tokensPerPeriod,rolloverCap,active,free,"
                        + "stripeProductId,stripeMonthlyPriceId,stripeYearlyPriceId,description,sortOrder");
        assertThat(csv.lines().get(1))
                .isEqualTo("explorer,Explorer,0.00,,USD,50000,,true,true,,,,"
                        + "\"50,000 AI tokens every month, free\",0");
    }

    @Test
    void shouldListPendingPurchasesAndFilterByAge() {
        PurchaseIntent purchase = pendingBoosterPurchase();

        Result pending = cli.run("purchases", "--status", "pending");
        Result olderThanNow = cli.run("purchases", "--status", "pending", "--older-than", "15m");
        Result anHourLater = laterCli().run("purchases", "--status", "open", "--older-than", "15m");
        Result byUser = cli.run("purchases", "--user", "dave", "--output", "csv");

        assertThat(pending.exitCode()).as(pending.toString()).isZero();
        assertThat(pending.out())
                .containsPattern(
                        purchase.purchaseId() + "\\s+dave\\s+booster-500k\\s+500,000\\s+\\$20.00\\s+pending\\s+"
                                + purchase.paymentIntentId());
        assertThat(olderThanNow.out()).contains("No purchases match.");
        assertThat(anHourLater.out()).contains("dave", "pending").containsPattern("\\s1h\\s");
        assertThat(byUser.lines().get(0))
                .startsWith("id,userId,packageSlug,tokenAmount,amount,currency,status,paymentIntentId,createdAt,");
        assertThat(byUser.lines().get(1))
                .startsWith(purchase.purchaseId() + ",dave,booster-500k,500000,20.00,USD,pending,"
                        + purchase.paymentIntentId());
    }

    @Test
    void shouldListStuckPurchasesOnRetryDryRunWithoutAStripeKey() {
        PurchaseIntent purchase = pendingBoosterPurchase();
        Cli later = laterCli().env("STRIPE_SECRET_KEY", null);

        Result result = later.run("retry", "--dry-run", "--older-than", "15m");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains(
                        "Stuck purchases older than 15m",
                        "dave",
                        "pending",
                        "Dry run: 1 purchase and 0 events would be retried; nothing changed.");
        assertThat(library.service()
                        .purchases()
                        .get(UserId.of("dave"), purchase.purchaseId())
                        .status()
                        .wireName())
                .isEqualTo("pending");
    }

    @Test
    void shouldCompleteAPaidPurchaseWhoseWebhookNeverArrived() throws Exception {
        PurchaseIntent purchase = pendingBoosterPurchase();
        pay(purchase);

        Result result = laterCli().run("retry", "--older-than", "15m");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .containsPattern(
                        purchase.purchaseId() + "\\s+" + purchase.paymentIntentId() + "\\s+pending\\s+completed");
        assertThat(result.out())
                .contains("Checked 1 stuck purchase: 1 completed, 0 canceled, 0 otherwise changed, 0 errors.");
        assertThat(cli.run("balance", "dave").out()).contains("500,000 tokens", "purchase");
    }

    @Test
    void shouldFetchMissedEventsAndListThem() throws Exception {
        PurchaseIntent purchase = paidPurchaseCompletedByRetry();

        Result fetched = cli.run("webhooks", "fetch-missed", "--since", "1h");
        Result again = cli.run("webhooks", "fetch-missed", "--since", "1h", "-o", "json");
        Result listed = cli.run("webhooks", "--type", "payment_intent.succeeded");
        JsonNode json =
                JSON.readTree(cli.run("webhooks", "-o", "json", "--since", "1h").out());

        assertThat(fetched.exitCode()).as(fetched.toString()).isZero();
        assertThat(fetched.out())
                .contains("payment_intent.succeeded")
                .containsPattern("Stripe listed \\d+ events? since");
        assertThat(JSON.readTree(again.out()).get("processed")).isEmpty();
        assertThat(listed.out())
                .contains("payment_intent.succeeded", purchase.paymentIntentId())
                .doesNotContain("payment_intent.created");
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "id",
                        "type",
                        "status",
                        "attempts",
                        "objectId",
                        "receivedAt",
                        "processedAt",
                        "nextAttemptAt",
                        "apiVersion",
                        "livemode",
                        "processingError");
        assertThat(cli.run("webhooks", "--failed").out()).contains("No webhook events match.");
        assertThat(cli.run("balance", "dave", "-o", "json").out()).contains("\"balance\": 500000");
    }

    @Test
    void shouldReplayAProcessedEventWithoutCreditingTwiceAndRefuseAnUnknownOne() throws Exception {
        paidPurchaseCompletedByRetry();
        cli.runOk("webhooks", "fetch-missed", "--since", "1h");
        String eventId = JSON.readTree(cli.run("webhooks", "-o", "json", "--type", "payment_intent.succeeded")
                        .out())
                .get(0)
                .get("id")
                .asText();

        Result replay = cli.run("webhooks", "replay", eventId);
        JsonNode json = JSON.readTree(
                cli.run("webhooks", "replay", eventId, "-o", "json").out());
        Result unknown = cli.run("webhooks", "replay", "evt_does_not_exist");

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out())
                .contains("✅ Replayed " + eventId + " (payment_intent.succeeded, was processed): unchanged");
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly("eventId", "eventType", "outcome", "reason", "previousStatus");
        assertThat(json.get("outcome").asText()).isEqualTo("processed");
        assertThat(json.get("previousStatus").asText()).isEqualTo("processed");
        assertThat(cli.run("balance", "dave", "-o", "json").out()).contains("\"balance\": 500000");
        assertThat(cli.run("audit").exitCode()).isZero();
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err()).contains("unknown event 'evt_does_not_exist'", "billing webhooks fetch-missed");
    }

    @Test
    void shouldExitWith3WhenStripeIsUnreachableDuringRetry() throws Exception {
        cli.runOk("seed", "--with-stripe");
        PurchaseIntent stuck = library.service().purchases().start(UserId.of("erin"), "starter-100k");
        int port = Ports.unused();

        Result result =
                laterCli().env("STRIPE_API_BASE", "http://127.0.0.1:" + port).run("retry", "--older-than", "15m");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.out())
                .containsPattern(
                        stuck.purchaseId() + "\\s+" + stuck.paymentIntentId() + "\\s+pending\\s+pending\\s+Stripe:");
        assertThat(result.err())
                .contains("cannot reach Stripe at http://127.0.0.1:" + port, "run 'billing retry' again later");
        // Two hours on, past the purchase's back-off, the same failure as JSON carries its code.
        Result json = cli.copy()
                .clockAhead(Duration.ofHours(2))
                .env("STRIPE_API_BASE", "http://127.0.0.1:" + port)
                .run("retry", "--older-than", "15m", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        JsonNode check = JSON.readTree(json.out()).get("purchases").get(0);
        assertThat(check.get("error").asBoolean()).isTrue();
        assertThat(check.get("errorCode").asText()).isEqualTo("payment_provider");
    }

    @Test
    void shouldRefuseAFetchFurtherBackThanStripeKeepsEvents() {
        Result result = cli.run("webhooks", "fetch-missed", "--since", "31d");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--since must be between 1s and 30d");
    }

    @Test
    void shouldSayTheStripeKeyIsMissing() {
        Cli noKey = Cli.forClass(StripeCommandsTest.class).env("STRIPE_API_BASE", fake.apiBase());

        Result result = noKey.run("seed", "--with-stripe");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("STRIPE_SECRET_KEY is not set: export STRIPE_SECRET_KEY=sk_test_...");
    }

    @Test
    void shouldRefuseAPublishableKey() {
        Result result = Cli.forClass(StripeCommandsTest.class)
                .stripe(fake.apiBase(), "pk_test_51abcdefghijklmnop")
                .run("stripe", "sync");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err())
                .contains("is not a secret key", "pk_ is the publishable key")
                .doesNotContain("abcdefghijklmnop");
    }

    @Test
    void shouldRefuseALiveKeyForWritesWithoutLive() {
        Cli live = Cli.forClass(StripeCommandsTest.class).stripe(fake.apiBase(), "sk_live_51abcdefghijklmnopqrstu9876");

        Result sync = live.run("stripe", "sync");
        Result seed = live.run("seed", "--with-stripe");
        Result retry = live.run("retry");

        for (Result result : List.of(sync, seed, retry)) {
            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err())
                    .contains("is a live key (sk_live_…9876)", "add --live to confirm")
                    .doesNotContain("abcdefghijklmnop");
        }
    }

    @Test
    void shouldReportThatStripeRejectedTheKey() {
        try (FakeStripe strict = FakeStripe.builder()
                .apiKeys("sk_test_the_right_key_1234", "pk_test_the_right_key_1234")
                .start()) {
            Cli wrongKey =
                    Cli.forClass(StripeCommandsTest.class).stripe(strict.apiBase(), "sk_test_the_wrong_key_5678");
            wrongKey.run("seed");

            Result result = wrongKey.run("stripe", "sync");

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
            assertThat(result.err())
                    .startsWith("error[payment_provider]: ")
                    .contains("Stripe rejected the API key sk_test_…5678", "STRIPE_SECRET_KEY")
                    .doesNotContain("wrong_key");
            Result verbose = wrongKey.run("--verbose", "stripe", "sync");
            assertThat(verbose.err()).contains("\tat ").doesNotContain("wrong_key");
        }
    }

    @Test
    void shouldReportStripeUnreachableWithExitCode3() {
        int port = Ports.unused();
        Cli down = Cli.forClass(StripeCommandsTest.class).stripe("http://127.0.0.1:" + port, FakeStripe.SECRET_KEY);
        down.run("seed");

        Result result = down.run("stripe", "sync");
        Result seed = down.run("seed", "--with-stripe");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err())
                .startsWith("error[payment_provider]: ")
                .contains("cannot reach Stripe at http://127.0.0.1:" + port, "--stripe-api-base")
                .doesNotContain("\tat ");
        assertThat(seed.exitCode()).as(seed.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(seed.out())
                .contains(
                        "  ⏭  Unchanged: Starter - 100,000 tokens for $5.00",
                        "❌ Seeding stopped: the Stripe sync failed.");
        assertThat(seed.err()).contains("cannot reach Stripe at http://127.0.0.1:" + port);
    }

    @Test
    void shouldExitWith3WhenStripeKeepsRateLimiting() {
        cli.runOk("seed");
        fake.failNext("/v1/products", 20, FaultKind.RATE_LIMIT);

        Result result = cli.run("stripe", "sync");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).startsWith("error[payment_provider]: ").contains("retry later");
    }

    private Cli laterCli() {
        return cli.copy().clockAhead(Duration.ofHours(1));
    }

    /** Pays for {@code purchase} in Stripe, as the customer's browser would; no webhook reaches the library. */
    private void pay(PurchaseIntent purchase) throws Exception {
        StripeClient stripe = StripeClient.builder()
                .setApiKey(FakeStripe.SECRET_KEY)
                .setApiBase(fake.apiBase())
                .build();
        stripe.v1()
                .paymentIntents()
                .confirm(
                        purchase.paymentIntentId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .build());
    }

    /** The catalog seeded and synced to Stripe, and dave's purchase of Booster started: pending, not paid. */
    private PurchaseIntent pendingBoosterPurchase() {
        cli.runOk("seed", "--with-stripe");
        return library.service().purchases().start(UserId.of("dave"), "booster-500k");
    }

    /**
     * Dave's Booster paid in Stripe and completed by a retry an hour later, the webhook never having arrived:
     * what {@link #shouldCompleteAPaidPurchaseWhoseWebhookNeverArrived} does.
     */
    private PurchaseIntent paidPurchaseCompletedByRetry() throws Exception {
        PurchaseIntent purchase = pendingBoosterPurchase();
        pay(purchase);
        laterCli().runOk("retry", "--older-than", "15m");
        return purchase;
    }
}
