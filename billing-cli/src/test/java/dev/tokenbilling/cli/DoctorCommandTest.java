package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Ports;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.WebhookEventRepository.NewWebhookEvent;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code billing doctor} against a real PostgreSQL and FakeStripe: a healthy setup passes, and each
 * fault README's Troubleshooting section lists, injected alone into that setup, is reported with its fix.
 * {@code billing stripe webhook-endpoint create} makes the healthy setup's endpoint.
 */
class DoctorCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the shop would take webhooks: nothing listens there, so FakeStripe's deliveries fail fast. */
    private static final String URL = "http://127.0.0.1:1/api/billing/webhook";

    private FakeStripe fake;
    private Cli cli;
    private TokenBilling library;

    @BeforeEach
    void start() {
        fake = FakeStripe.start();
        cli = Cli.forClass(DoctorCommandTest.class)
                .stripe(fake.apiBase(), FakeStripe.SECRET_KEY)
                .env("STRIPE_PUBLIC_KEY", FakeStripe.PUBLISHABLE_KEY)
                .env("BILLING_WEBHOOK_URL", URL)
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

    /** Packages synced, the endpoint registered by the CLI with every needed event, its secret configured. */
    private void healthy() throws Exception {
        cli.runOk("seed", "--with-stripe");
        JsonNode created = JSON.readTree(cli.runOk("stripe", "webhook-endpoint", "create", "--url", URL, "-o", "json")
                .out());
        cli.env("STRIPE_WEBHOOK_SECRET", created.get("secret").asText());
    }

    private JsonNode doctorJson(Cli which) throws Exception {
        return JSON.readTree(which.run("doctor", "-o", "json").out());
    }

    private static JsonNode check(JsonNode diagnosis, String name) {
        for (JsonNode check : diagnosis.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + diagnosis);
    }

    /** The checks that did not pass as "name verdict", for asserting that a fault shows up alone. */
    private static List<String> notOk(JsonNode diagnosis) {
        List<String> names = new ArrayList<>();
        diagnosis.get("checks").forEach(check -> {
            if (!check.get("verdict").asText().equals("ok")) {
                names.add(
                        check.get("name").asText() + " " + check.get("verdict").asText());
            }
        });
        return names;
    }

    @Test
    void shouldPassOnAHealthySetupWithEveryCheckOk() throws Exception {
        healthy();

        Result table = cli.run("doctor");
        JsonNode json = doctorJson(cli);

        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out())
                .contains(
                        "✅ database",
                        "schema " + cli.schema() + " at version",
                        "✅ stripe.keys",
                        "test mode",
                        "✅ catalog.packages",
                        "3 active packages, each with an active Stripe price",
                        "✅ webhook.endpoint",
                        "sends all " + TokenBilling.handledEventTypes().size() + " event types",
                        "✅ webhook.secret",
                        "✅ purchases.stuck",
                        "✅ webhook.events",
                        "✅ ledger.audit",
                        "✅ Healthy: 8 ok, 0 warnings, 0 failed, 0 skipped.")
                .doesNotContain("fix:");
        assertThat(json.get("healthy").asBoolean()).isTrue();
        assertThat(json.fieldNames()).toIterable().containsExactly("healthy", "checks", "summary");
        assertThat(json.get("checks").get(0).fieldNames())
                .toIterable()
                .containsExactly("name", "verdict", "finding", "fix");
        assertThat(json.get("checks"))
                .extracting(check -> check.get("name").asText())
                .containsExactly(
                        "database",
                        "stripe.keys",
                        "catalog.packages",
                        "webhook.endpoint",
                        "webhook.secret",
                        "purchases.stuck",
                        "webhook.events",
                        "ledger.audit");
        assertThat(notOk(json)).isEmpty();
        assertThat(json.get("summary").get("ok").asInt()).isEqualTo(8);
    }

    @Test
    void shouldNeverPrintTheWebhookSecretOrTheKey() throws Exception {
        healthy();
        String secret = fake.webhookEndpoints().get(0).secret();

        Result table = cli.run("doctor");
        Result json = cli.run("doctor", "-o", "json");
        Result csv = cli.run("doctor", "-o", "csv");

        for (Result result : List.of(table, json, csv)) {
            assertThat(result.out() + result.err()).doesNotContain(secret, FakeStripe.SECRET_KEY);
        }
        assertThat(csv.lines().get(0)).isEqualTo("name,verdict,finding,fix");
    }

    @Test
    void shouldFailWhenNoPackageIsOnSale() throws Exception {
        cli.runOk("stripe", "webhook-endpoint", "create", "--url", URL);
        cli.env("STRIPE_WEBHOOK_SECRET", fake.webhookEndpoints().get(0).secret());

        Result result = cli.run("doctor");
        JsonNode json = doctorJson(cli);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out())
                .contains("❌ catalog.packages", "Failed to load token packages", "fix: billing seed --with-stripe")
                .contains("❌ Not healthy: 7 ok, 0 warnings, 1 failed, 0 skipped.");
        assertThat(notOk(json)).containsExactly("catalog.packages fail");
        assertThat(json.get("healthy").asBoolean()).isFalse();
    }

    @Test
    void shouldFailWhenAPackageWasNeverSyncedToStripe() throws Exception {
        healthy();
        cli.runOk("seed", "--catalog", catalog("Extra", "extra-1m", "40.00").toString());

        JsonNode json = doctorJson(cli);

        JsonNode packages = check(json, "catalog.packages");
        assertThat(notOk(json)).containsExactly("catalog.packages fail");
        assertThat(packages.get("finding").asText())
                .isEqualTo("extra-1m has no Stripe price (\"Missing Stripe price IDs\")");
        assertThat(packages.get("fix").asText()).isEqualTo("billing stripe sync");
    }

    @Test
    void shouldFailWhenAPriceNoLongerMatchesItsPackage() throws Exception {
        healthy();
        // A new price in the catalog, not synced: Stripe still charges the old one.
        cli.runOk(
                "seed", "--catalog", catalog("Starter", "starter-100k", "6.00").toString());

        JsonNode json = doctorJson(cli);

        JsonNode packages = check(json, "catalog.packages");
        assertThat(notOk(json)).containsExactly("catalog.packages fail");
        assertThat(packages.get("finding").asText())
                .matches(
                        "starter-100k sells for 6.00 USD \\(600 usd\\) but its Stripe price price_\\w+ charges 500 usd");
        assertThat(packages.get("fix").asText()).isEqualTo("billing stripe sync");
        cli.runOk("stripe", "sync");
        assertThat(notOk(doctorJson(cli))).isEmpty();
    }

    @Test
    void shouldFailWhenAPriceDoesNotExistAtStripe() throws Exception {
        healthy();
        try (var connection = TestDatabase.dataSource().getConnection();
                var statement = connection.createStatement()) {
            statement.execute("UPDATE " + cli.schema()
                    + ".token_package SET stripe_price_id = 'price_from_live_mode' WHERE slug = 'power-1m'");
        }

        JsonNode packages = check(doctorJson(cli), "catalog.packages");

        assertThat(packages.get("verdict").asText()).isEqualTo("fail");
        assertThat(packages.get("finding").asText())
                .startsWith("power-1m's price price_from_live_mode does not exist at Stripe");
    }

    @Test
    void shouldFailWhenThePublishableKeyIsOfTheOtherMode() throws Exception {
        healthy();
        cli.env("STRIPE_PUBLIC_KEY", "pk_live_51abcdefghijklmnopqrstuv");

        Result result = cli.run("doctor");
        JsonNode json = doctorJson(cli);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out())
                .contains("❌ stripe.keys", "is for live mode but the secret key", "fix: set STRIPE_SECRET_KEY");
        assertThat(notOk(json)).containsExactly("stripe.keys fail", "webhook.endpoint skipped");
        assertThat(check(json, "webhook.endpoint").get("finding").asText())
                .isEqualTo("the Stripe settings are refused (see stripe.keys)");
    }

    @Test
    void shouldFailWhenNoEndpointIsRegisteredForTheUrl() throws Exception {
        healthy();
        fake.webhookEndpoints().forEach(endpoint -> deleteEndpoint(endpoint.id()));
        fake.registerWebhookEndpoint("https://other.example/hooks", "whsec_other", "*");

        Result result = cli.run("doctor");
        JsonNode endpoint = check(doctorJson(cli), "webhook.endpoint");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(endpoint.get("verdict").asText()).isEqualTo("fail");
        assertThat(endpoint.get("finding").asText())
                .isEqualTo("no webhook endpoint at Stripe for " + URL
                        + ": Stripe sends this application no events (registered: https://other.example/hooks)");
        assertThat(endpoint.get("fix").asText())
                .startsWith("billing stripe webhook-endpoint create --url " + URL + ", then set STRIPE_WEBHOOK_SECRET");
    }

    @Test
    void shouldFailWhenTheEndpointLacksEventsTheLibraryNeeds() throws Exception {
        cli.runOk("seed", "--with-stripe");
        String secret = fake.registerWebhookEndpoint(URL, "whsec_partial1234567890", "payment_intent.succeeded")
                .secret();
        cli.env("STRIPE_WEBHOOK_SECRET", secret);

        JsonNode json = doctorJson(cli);

        JsonNode endpoint = check(json, "webhook.endpoint");
        assertThat(notOk(json)).containsExactly("webhook.endpoint fail");
        assertThat(endpoint.get("finding").asText())
                .contains(
                        "does not send " + (TokenBilling.handledEventTypes().size() - 1),
                        "charge.refunded",
                        "payment_intent.payment_failed")
                .doesNotContain("payment_intent.succeeded");
    }

    @Test
    void shouldFailWhenTheWebhookSecretIsNotASigningSecret() throws Exception {
        healthy();
        cli.env("STRIPE_WEBHOOK_SECRET", "sk_test_51pastedtheapikeyinsteadXYZW");

        Result result = cli.run("doctor");
        JsonNode json = doctorJson(cli);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out()).doesNotContain("sk_test_51pastedtheapikeyinsteadXYZW");
        assertThat(notOk(json)).containsExactly("webhook.secret fail");
        assertThat(check(json, "webhook.secret").get("finding").asText())
                .isEqualTo(
                        "STRIPE_WEBHOOK_SECRET (sk_test_…XYZW) is not a signing secret (whsec_...): it is an API key;"
                                + " every delivery fails with \"Invalid signature\"");
    }

    @Test
    void shouldFailWithoutAWebhookSecretOrWithABlankOneInARotation() throws Exception {
        healthy();
        String secret = fake.webhookEndpoints().get(0).secret();

        JsonNode missing = check(doctorJson(cli.copy().env("STRIPE_WEBHOOK_SECRET", null)), "webhook.secret");
        JsonNode blank = check(doctorJson(cli.copy().env("STRIPE_WEBHOOK_SECRET", secret + ", ,")), "webhook.secret");

        assertThat(missing.get("verdict").asText()).isEqualTo("fail");
        assertThat(missing.get("finding").asText()).startsWith("STRIPE_WEBHOOK_SECRET is not set");
        assertThat(blank.get("verdict").asText()).isEqualTo("fail");
        assertThat(blank.get("finding").asText()).contains("blank");
    }

    @Test
    void shouldFailWhenAPurchaseIsStuckLongerThanTheWindow() throws Exception {
        healthy();
        library.service().purchases().start(UserId.of("erin"), "starter-100k");

        JsonNode now = doctorJson(cli);
        Result later = cli.copy().clockAhead(Duration.ofHours(1)).run("doctor");

        assertThat(notOk(now)).isEmpty();
        assertThat(later.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(later.out())
                .contains(
                        "❌ purchases.stuck",
                        "1 purchase has been open for more than 15m",
                        "Tokens not added after payment",
                        "fix: billing purchases --status open --older-than 15m, then billing retry");
        assertThat(cli.copy()
                        .clockAhead(Duration.ofHours(1))
                        .run("doctor", "--stuck-after", "2h")
                        .exitCode())
                .isZero();
    }

    @Test
    void shouldFailWhenAWebhookEventFailed() throws Exception {
        healthy();
        var events = library.store().webhookEvents();
        Instant now = Instant.now();
        events.insertIfAbsent(new NewWebhookEvent(
                "evt_doctor_failed",
                "payment_intent.succeeded",
                Optional.empty(),
                false,
                Optional.of("pi_x"),
                "{\"id\":\"evt_doctor_failed\"}",
                now));
        events.markFailed("evt_doctor_failed", "boom", Optional.empty(), now);

        JsonNode json = doctorJson(cli);

        assertThat(notOk(json)).containsExactly("webhook.events fail");
        assertThat(check(json, "webhook.events").get("finding").asText())
                .startsWith("1 stored Stripe event failed processing");
        assertThat(check(json, "webhook.events").get("fix").asText()).startsWith("billing webhooks --failed shows why");
    }

    @Test
    void shouldFailWhenTheLedgerAuditFindsAProblem() throws Exception {
        healthy();
        cli.runOk("grant", "audited", "100", "--reason", "test", "--idempotency-key", "doctor-audit-1");
        try (var connection = TestDatabase.dataSource().getConnection();
                var statement = connection.createStatement()) {
            statement.execute(
                    "UPDATE " + cli.schema()
                            + ".token_balance SET balance = balance + 1, total_granted = total_granted + 1 WHERE user_id = 'audited'");
        }

        JsonNode json = doctorJson(cli);

        assertThat(notOk(json)).containsExactly("ledger.audit fail");
        assertThat(check(json, "ledger.audit").get("finding").asText())
                .contains("balance differs from the sum of the ledger");
    }

    @Test
    void shouldReportAnUnreachableDatabaseAndSkipWhatNeedsIt() throws Exception {
        healthy();
        Cli down =
                cli.copy().env("BILLING_DATABASE_URL", "postgresql://127.0.0.1:" + Ports.unused() + "/billing?user=x");

        Result result = down.run("doctor");
        JsonNode json = doctorJson(down);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(notOk(json))
                .containsExactly(
                        "database fail",
                        "catalog.packages skipped",
                        "purchases.stuck skipped",
                        "webhook.events skipped",
                        "ledger.audit skipped");
        assertThat(check(json, "database").get("finding").asText())
                .startsWith("cannot reach the database: Connection to 127.0.0.1:")
                .contains("refused");
        assertThat(check(json, "ledger.audit").get("finding").asText()).isEqualTo("the database cannot be reached");
    }

    @Test
    void shouldSkipStripeChecksWithoutAKeyAndTheEndpointWithoutAUrl() throws Exception {
        healthy();

        JsonNode noKey = doctorJson(cli.copy().env("STRIPE_SECRET_KEY", null).env("STRIPE_PUBLIC_KEY", null));
        JsonNode noUrl = doctorJson(cli.copy().env("BILLING_WEBHOOK_URL", null));

        assertThat(notOk(noKey)).containsExactly("stripe.keys skipped", "webhook.endpoint skipped");
        assertThat(noKey.get("healthy").asBoolean()).isTrue();
        assertThat(check(noKey, "catalog.packages").get("finding").asText())
                .contains("not verified at Stripe: no Stripe key");
        assertThat(notOk(noUrl)).containsExactly("webhook.endpoint skipped");
        assertThat(check(noUrl, "webhook.endpoint").get("finding").asText())
                .isEqualTo("no webhook URL given; registered: " + URL);
    }

    @Test
    void shouldRegisterTheEndpointWithExactlyTheNeededEventsAndPrintTheSecretOnce() {
        Result created = cli.run("stripe", "webhook-endpoint", "create", "--url", URL);
        Result again = cli.run("stripe", "webhook-endpoint", "create", "--url", URL);

        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(fake.webhookEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.url()).isEqualTo(URL);
            assertThat(Set.copyOf(endpoint.enabledEvents())).isEqualTo(TokenBilling.handledEventTypes());
            assertThat(created.out()).containsOnlyOnce(endpoint.secret());
        });
        assertThat(created.out())
                .contains(
                        "✅ Registered webhook endpoint we_",
                        "Set it where the application runs: STRIPE_WEBHOOK_SECRET");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains("Stripe has a webhook endpoint at " + URL + " already");
        assertThat(fake.webhookEndpoints()).hasSize(1);
    }

    @Test
    void shouldRefuseToRegisterWithALiveKeyWithoutLiveOrABadUrl() {
        Result live = cli.copy()
                .env("STRIPE_SECRET_KEY", "sk_live_51abcdefghijklmnopqrstu9876")
                .env("STRIPE_PUBLIC_KEY", null)
                .run("stripe", "webhook-endpoint", "create", "--url", "https://shop.example/hook");
        Result badUrl = cli.run("stripe", "webhook-endpoint", "create", "--url", "shop.example/hook");

        assertThat(live.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(live.err()).contains("add --live");
        assertThat(badUrl.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badUrl.err()).contains("is not an http(s) URL");
        assertThat(fake.webhookEndpoints()).isEmpty();
    }

    private void deleteEndpoint(String id) {
        try {
            com.stripe.StripeClient.builder()
                    .setApiKey(FakeStripe.SECRET_KEY)
                    .setApiBase(fake.apiBase())
                    .build()
                    .v1()
                    .webhookEndpoints()
                    .delete(id);
        } catch (com.stripe.exception.StripeException e) {
            throw new AssertionError(e);
        }
    }

    @TempDir
    Path dir;

    private Path catalog(String name, String slug, String price) throws Exception {
        Path file = dir.resolve(slug + ".yaml");
        Files.writeString(
                file,
                "packages:\n  - slug: " + slug + "\n    name: " + name + "\n    tokenAmount: 100000\n    price: \""
                        + price + "\"\n");
        return file;
    }
}
