package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.health.BillingHealthIndicator;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.support.Browser;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The REST API and the webhook endpoint in a host that keeps Spring Boot's default security (every
 * request authenticated, CSRF on), on a real PostgreSQL and FakeStripe. Webhooks are the events
 * FakeStripe created, signed here with the testkit's signer.
 */
@SpringBootTest(classes = BillingApiMockMvcTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class BillingApiMockMvcTest {

    static final String WEBHOOK_SECRET = "whsec_mockmvc_test_secret";
    static final String WEBHOOK = "/api/v1/billing/webhooks/stripe/";
    static final String API = "/api/v1/billing";
    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @Autowired
    ReconcilerScheduler reconciler;

    @Autowired
    BillingHealthIndicator health;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(BillingApiMockMvcTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> WEBHOOK_SECRET);
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.stripe.max-webhook-payload-size", () -> "64KB");
        registry.add("billing.stripe.test-mode-only", () -> "true");
        registry.add("billing.reconciler.initial-delay", () -> "1h");
        registry.add("billing.reconciler.older-than", () -> "0s");
        registry.add("billing.max-open-purchases-per-user", () -> "4");
    }

    @AfterAll
    static void stopStripe() {
        FAKE.close();
    }

    @BeforeEach
    void seedCatalog() {
        if (service.catalog().packages().isEmpty()) {
            SeedCatalog.seed(service);
        }
    }

    @Test
    void shouldListThePackagesInTheApisShape() throws Exception {
        String body = mvc.perform(get(API + "/packages/").with(user("alice")))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$", hasSize(3)))
                .andExpect(jsonPath("$[0].slug").value("starter-100k"))
                .andExpect(jsonPath("$[0].name").value("Starter"))
                .andExpect(jsonPath("$[0].packageType").value("starter"))
                .andExpect(jsonPath("$[0].tokenAmount").value(100_000))
                .andExpect(jsonPath("$[0].price").value("5.00"))
                .andExpect(
                        jsonPath("$[0].description").value("100,000 AI tokens - perfect for occasional extra requests"))
                .andExpect(jsonPath("$[0].isActive").value(true))
                .andExpect(jsonPath("$[0].stripePriceId").value(startsWith("price_")))
                .andExpect(jsonPath("$[1].pricePerMillionTokens").value("40.00"))
                .andExpect(jsonPath("$[2].slug").value("power-1m"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        JsonNode first = JSON.readTree(body).get(0);
        assertThat(first.get("id").isIntegralNumber()).isTrue();
        assertThat(first.get("price").isTextual()).isTrue();
        assertThat(first.has("active")).as("only isActive").isFalse();
    }

    @Test
    void shouldAnswerPackagesWithoutTheTrailingSlashToo() throws Exception {
        mvc.perform(get(API + "/packages").with(user("alice")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(3)));
    }

    @Test
    void shouldStartAPurchaseInTheApisShape() throws Exception {
        String body = purchase("alice", "{\"package_slug\": \"booster-500k\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.payment_intent_id").value(startsWith("pi_")))
                .andExpect(jsonPath("$.client_secret").value(startsWith("pi_")))
                .andExpect(jsonPath("$.amount").value(20.00))
                .andExpect(jsonPath("$.token_amount").value(500_000))
                .andExpect(jsonPath("$.purchase_id").isNumber())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(body).contains("\"amount\":20.00");
        JsonNode started = JSON.readTree(body);
        assertThat(FAKE.paymentIntent(started.get("payment_intent_id").asText())
                        .get("amount")
                        .asLong())
                .isEqualTo(2000);
        assertThat(meters.get("billing.purchases.started")
                        .tag("package", "booster-500k")
                        .counter()
                        .count())
                .isPositive();
    }

    @Test
    void shouldAcceptThePackageSlugInCamelCase() throws Exception {
        purchase("alice", "{\"packageSlug\": \"starter-100k\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.amount").value(5.00))
                .andExpect(jsonPath("$.token_amount").value(100_000));
    }

    @Test
    void shouldCreditTheTokensWhenTheSignedWebhookArrives() throws Exception {
        double completedBefore = count("billing.purchases.completed", "package", "booster-500k");
        double creditedBefore = count("billing.tokens.credited", "kind", "purchase");
        JsonNode started = started(purchase("bob", "{\"package_slug\": \"booster-500k\"}"));
        String paymentIntent = started.get("payment_intent_id").asText();
        assertThat(Browser.confirm(
                                FAKE,
                                paymentIntent,
                                started.get("client_secret").asText(),
                                "pm_card_visa")
                        .get("status")
                        .asText())
                .isEqualTo("succeeded");

        String event = event("payment_intent.succeeded", paymentIntent);
        deliver(event, StripeWebhookSigner.header(event, WEBHOOK_SECRET))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("processed"))
                .andExpect(jsonPath("$.eventType").value("payment_intent.succeeded"));
        deliver(event, StripeWebhookSigner.header(event, WEBHOOK_SECRET))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("duplicate"));

        mvc.perform(get(API + "/tokens/balance/").with(user("bob")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.balance").value(500_000))
                .andExpect(jsonPath("$.totalPurchased").value(500_000))
                .andExpect(jsonPath("$.totalUsed").value(0))
                .andExpect(jsonPath("$.available").value(500_000))
                .andExpect(jsonPath("$.reserved").value(0))
                .andExpect(jsonPath("$.nextExpiry").value(nullValue()));
        mvc.perform(get(API + "/tokens/purchases/" + started.get("purchase_id").asLong() + "/")
                        .with(user("bob")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("completed"))
                .andExpect(jsonPath("$.packageSlug").value("booster-500k"))
                .andExpect(jsonPath("$.paymentIntentId").value(paymentIntent))
                .andExpect(jsonPath("$.completedAt").isString());
        mvc.perform(get(API + "/tokens/transactions/").with(user("bob")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.items[0].kind").value("purchase"))
                .andExpect(jsonPath("$.items[0].amount").value(500_000))
                .andExpect(jsonPath("$.items[0].purchaseId")
                        .value(started.get("purchase_id").asLong()));
        // Counted from the core's listener calls: once, although the event was delivered twice.
        assertThat(count("billing.purchases.completed", "package", "booster-500k"))
                .isEqualTo(completedBefore + 1);
        assertThat(count("billing.tokens.credited", "kind", "purchase")).isEqualTo(creditedBefore + 500_000);
        assertThat(meters.get("billing.webhook.deliveries")
                        .tags("outcome", "duplicate", "type", "payment_intent.succeeded")
                        .counter()
                        .count())
                .isPositive();
        assertThat(meters.get("billing.webhook.latency")
                        .tag("outcome", "processed")
                        .timer()
                        .count())
                .isPositive();
    }

    @Test
    void shouldNeedNoCsrfTokenForTheWebhookButForTheApi() throws Exception {
        mvc.perform(post(API + "/tokens/purchase/")
                        .with(user("alice"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"package_slug\": \"starter-100k\"}"))
                .andExpect(status().isForbidden());
        String event =
                "{\"id\":\"evt_csrf_1\",\"object\":\"event\",\"type\":\"customer.created\",\"data\":{\"object\":{\"id\":\"cus_1\"}}}";
        deliver(event, StripeWebhookSigner.header(event, WEBHOOK_SECRET))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("ignored"));
    }

    @Test
    void shouldRejectABadSignatureWith400() throws Exception {
        String event =
                "{\"id\":\"evt_forged\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_x\"}}}";
        deliver(event, StripeWebhookSigner.header(event, "whsec_someone_else"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Webhook rejected"))
                .andExpect(jsonPath("$.detail").value(startsWith("Invalid signature")))
                .andExpect(jsonPath("$.code").value("rejected"));
        deliver(event, null)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("missing Stripe-Signature header"));
    }

    @Test
    void shouldRejectATamperedBodyWith400() throws Exception {
        String event =
                "{\"id\":\"evt_tamper\",\"object\":\"event\",\"type\":\"customer.created\",\"data\":{\"object\":{\"id\":\"cus_1\"}}}";
        String signature = StripeWebhookSigner.header(event, WEBHOOK_SECRET);
        // The same JSON, re-serialized with different spacing, no longer matches its signature.
        deliver(event.replace(",", ", "), signature).andExpect(status().isBadRequest());
    }

    @Test
    void shouldAnswer413ToAnOversizedWebhook() throws Exception {
        String huge = "{\"id\":\"evt_big\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
        double before = count("billing.webhook.deliveries", "outcome", "too_large");
        deliver(huge, StripeWebhookSigner.header(huge, WEBHOOK_SECRET))
                .andExpect(status().isPayloadTooLarge())
                .andExpect(jsonPath("$.code").value("too_large"));
        assertThat(count("billing.webhook.deliveries", "outcome", "too_large"))
                .as("answered by the starter, counted once")
                .isEqualTo(before + 1);
    }

    @Test
    void shouldAnswer503WhenProcessingFailsForNow() throws Exception {
        String event =
                "{\"id\":\"evt_invoice_1\",\"object\":\"event\",\"type\":\"invoice.payment_failed\",\"data\":{\"object\":{\"id\":\"in_1\"}}}";
        deliver(event, StripeWebhookSigner.header(event, WEBHOOK_SECRET))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.title").value("Webhook not processed, retry later"))
                .andExpect(jsonPath("$.eventId").value("evt_invoice_1"));
    }

    @Test
    void shouldAnswer401ToAnonymousCalls() throws Exception {
        mvc.perform(get(API + "/tokens/balance/")).andExpect(status().isUnauthorized());
        mvc.perform(get(API + "/tokens/lots/")).andExpect(status().isUnauthorized());
        mvc.perform(get(API + "/tokens/holds/")).andExpect(status().isUnauthorized());
        mvc.perform(post(API + "/tokens/purchase/")
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"package_slug\": \"starter-100k\"}"))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void shouldNeverShowOrCancelAnotherUsersPurchase() throws Exception {
        long alicesPurchase = started(purchase("alice", "{\"package_slug\": \"power-1m\"}"))
                .get("purchase_id")
                .asLong();

        mvc.perform(get(API + "/tokens/purchases/" + alicesPurchase + "/").with(user("mallory")))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Failed to load purchase"))
                .andExpect(jsonPath("$.code").value("unknown_purchase"));
        mvc.perform(post(API + "/tokens/purchases/" + alicesPurchase + "/cancel/")
                        .with(user("mallory"))
                        .with(csrf()))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.title").value("Failed to cancel purchase"));
        mvc.perform(get(API + "/tokens/purchases/").with(user("mallory")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(0)));
        mvc.perform(get(API + "/tokens/transactions/").with(user("mallory")))
                .andExpect(jsonPath("$.items", hasSize(0)));
        mvc.perform(get(API + "/tokens/balance/").with(user("mallory")))
                .andExpect(jsonPath("$.balance").value(0));

        assertThat(service.purchases().get(UserId.of("alice"), alicesPurchase).status())
                .isEqualTo(PurchaseStatus.PENDING);
        mvc.perform(post(API + "/tokens/purchases/" + alicesPurchase + "/cancel/")
                        .with(user("alice"))
                        .with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("canceled"));
    }

    @Test
    void shouldAnswer429WhileTooManyOfTheCallersPurchasesAreOpen() throws Exception {
        double refusedBefore = count("billing.purchases.failed", "reason", "too_many_open_purchases");
        long first = 0;
        for (int i = 0; i < 4; i++) {
            long id = started(purchase("greedy", "{\"package_slug\": \"starter-100k\"}"))
                    .get("purchase_id")
                    .asLong();
            first = i == 0 ? id : first;
        }

        purchase("greedy", "{\"package_slug\": \"starter-100k\"}")
                .andExpect(status().isTooManyRequests())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Failed to initiate purchase"))
                .andExpect(jsonPath("$.code").value("too_many_open_purchases"))
                .andExpect(jsonPath("$.detail").value("Too many purchases are still open; finish or cancel one first"));
        assertThat(count("billing.purchases.failed", "reason", "too_many_open_purchases"))
                .isEqualTo(refusedBefore + 1);
        // Another user's open purchases are theirs: they do not count against this one.
        purchase("modest", "{\"package_slug\": \"starter-100k\"}").andExpect(status().isOk());

        mvc.perform(post(API + "/tokens/purchases/" + first + "/cancel/")
                        .with(user("greedy"))
                        .with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("canceled"));
        purchase("greedy", "{\"package_slug\": \"starter-100k\"}").andExpect(status().isOk());
    }

    @Test
    void shouldExplainAnUnknownPackage() throws Exception {
        purchase("alice", "{\"package_slug\": \"mega-pack\"}")
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Failed to initiate purchase"))
                .andExpect(jsonPath("$.detail").value("Unknown token package 'mega-pack'"))
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.code").value("unknown_package"))
                .andExpect(jsonPath("$.instance").value(API + "/tokens/purchase/"));
    }

    @Test
    void shouldEchoOnlyAShortPrefixOfAHugeUnknownSlug() throws Exception {
        String slug = "x".repeat(100 * 1024);
        MockHttpServletResponse response = purchase("alice", "{\"package_slug\": \"" + slug + "\"}")
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andReturn()
                .getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("code").asText()).isEqualTo("unknown_package");
        assertThat(problem.get("detail").asText()).isEqualTo("Unknown token package '" + "x".repeat(64) + "…'");
        assertThat(body).hasSizeLessThan(1_000);
    }

    @Test
    void shouldEchoOnlyAShortPrefixOfAHugePathVariable() throws Exception {
        String id = "9".repeat(100 * 1024);
        for (MockHttpServletRequestBuilder request : List.of(
                get(API + "/tokens/purchases/" + id + "/"),
                post(API + "/tokens/purchases/" + id + "/cancel/").with(csrf()))) {
            MockHttpServletResponse response = mvc.perform(request.with(user("alice")))
                    .andExpect(status().isBadRequest())
                    .andReturn()
                    .getResponse();
            String body = response.getContentAsString(StandardCharsets.UTF_8);
            JsonNode problem = JSON.readTree(body);
            assertThat(problem.get("code").asText()).isEqualTo("invalid_request");
            assertThat(problem.get("detail").asText()).isEqualTo("id: '" + "9".repeat(64) + "…' is not a valid value");
            assertThat(problem.get("instance").asText())
                    .startsWith(API + "/tokens/purchases/999")
                    .endsWith("…")
                    .hasSizeLessThan(300);
            assertThat(body).hasSizeLessThan(1_000);
        }
    }

    @Test
    void shouldExplainAMissingOrMalformedRequest() throws Exception {
        purchase("alice", "{}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to initiate purchase"))
                .andExpect(jsonPath("$.field").value("package_slug"));
        purchase("alice", "{not json")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to initiate purchase"))
                .andExpect(jsonPath("$.detail").value(startsWith("The request body is not valid JSON")));
        mvc.perform(get(API + "/tokens/purchases/abc/").with(user("alice")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to load purchase"));
    }

    @Test
    void shouldExplainAPackageThatIsNotSyncedToStripe() throws Exception {
        service.catalog()
                .savePackage(new PackageDefinition(
                        "unsynced-1k", "Unsynced", "test", 1_000, Money.of(100, "USD"), "not in Stripe", true, 9));
        purchase("alice", "{\"package_slug\": \"unsynced-1k\"}")
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.title").value("Failed to initiate purchase"))
                .andExpect(jsonPath("$.detail").value("This package cannot be bought yet, please try again later"))
                .andExpect(jsonPath("$.code").value("package_not_synced"))
                .andExpect(content()
                        .string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("billing seed"))));
        service.catalog()
                .savePackage(new PackageDefinition(
                        "unsynced-1k", "Unsynced", "test", 1_000, Money.of(100, "USD"), "not in Stripe", false, 9));
    }

    @Test
    void shouldPageThroughTheLedger() throws Exception {
        for (int i = 1; i <= 3; i++) {
            service.ledger()
                    .grant(Grant.of(UserId.of("carol"), 10 * i, IdempotencyKey.of("grant-" + i), "welcome " + i));
        }
        String first = mvc.perform(
                        get(API + "/tokens/transactions/").param("limit", "2").with(user("carol")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.items", hasSize(2)))
                .andExpect(jsonPath("$.items[0].amount").value(30))
                .andExpect(jsonPath("$.items[0].kind").value("grant"))
                .andExpect(jsonPath("$.items[0].balanceAfter").value(60))
                .andExpect(jsonPath("$.nextCursor").isString())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String cursor = JSON.readTree(first).get("nextCursor").asText();
        mvc.perform(get(API + "/tokens/transactions/")
                        .param("limit", "2")
                        .param("cursor", cursor)
                        .with(user("carol")))
                .andExpect(jsonPath("$.items", hasSize(1)))
                .andExpect(jsonPath("$.items[0].amount").value(10))
                .andExpect(jsonPath("$.nextCursor").value(nullValue()));
        mvc.perform(get(API + "/tokens/transactions/").param("cursor", "!!").with(user("carol")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to load token transactions"))
                .andExpect(jsonPath("$.field").value("cursor"));
        mvc.perform(get(API + "/tokens/transactions/").param("limit", "0").with(user("carol")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("limit"));
    }

    @Test
    void shouldServeThePagesStripeConfiguration() throws Exception {
        mvc.perform(get(API + "/config/").with(user("alice")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.publishableKey").value(FAKE.publishableKey()))
                .andExpect(jsonPath("$.liveMode").value(false))
                .andExpect(jsonPath("$.purchasesEnabled").value(true))
                .andExpect(jsonPath("$.stripeApiBase").value(FAKE.apiBase()));
    }

    @Test
    void shouldCompleteAPurchaseWhoseWebhookNeverCame() throws Exception {
        double completedBefore = count("billing.purchases.completed", "package", "starter-100k");
        JsonNode started = started(purchase("dave", "{\"package_slug\": \"starter-100k\"}"));
        Browser.confirm(
                FAKE,
                started.get("payment_intent_id").asText(),
                started.get("client_secret").asText(),
                "pm_card_visa");

        reconciler.runOnce();

        mvc.perform(get(API + "/tokens/balance/").with(user("dave")))
                .andExpect(jsonPath("$.balance").value(100_000));
        assertThat(count("billing.purchases.completed", "package", "starter-100k"))
                .isEqualTo(completedBefore + 1);
        assertThat(meters.get("billing.reconciler.runs").timer().count()).isPositive();
    }

    @Test
    void shouldCountUsageAndGrantsMadeByTheApplication() {
        double granted = count("billing.tokens.credited", "kind", "grant");
        double used = count("billing.tokens.debited", "kind", "usage");

        service.ledger().grant(Grant.of(UserId.of("frank"), 5_000, IdempotencyKey.of("frank-grant-1"), "welcome"));
        service.ledger()
                .debit(Debit.of(UserId.of("frank"), 1_200, IdempotencyKey.of("frank-req-1"))
                        .withDescription("chat completion"));

        assertThat(count("billing.tokens.credited", "kind", "grant")).isEqualTo(granted + 5_000);
        assertThat(count("billing.tokens.debited", "kind", "usage")).isEqualTo(used + 1_200);
    }

    @Test
    void shouldShowTheCallersLotsHoldsAndNextExpiry() throws Exception {
        UserId erin = UserId.of("erin");
        Instant soon = Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS);
        Instant later = soon.plus(Duration.ofDays(10));
        service.ledger()
                .grant(Grant.of(erin, 1_000, IdempotencyKey.of("erin-grant-1"), "promotion")
                        .withTerms(LotTerms.expiringAt(soon).withPriority(-1)));
        service.ledger()
                .grant(Grant.of(erin, 500, IdempotencyKey.of("erin-grant-2"), "referral")
                        .withTerms(LotTerms.expiringAt(soon)));
        service.ledger()
                .grant(Grant.of(erin, 2_000, IdempotencyKey.of("erin-grant-3"), "campaign")
                        .withTerms(LotTerms.expiringAt(later)));
        service.ledger().grant(Grant.of(erin, 300, IdempotencyKey.of("erin-grant-4"), "support gesture"));
        service.ledger()
                .debit(Debit.of(erin, 200, IdempotencyKey.of("erin-req-1")).withDescription("chat completion"));
        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(erin, 700, Duration.ofMinutes(5), IdempotencyKey.of("erin-req-2"))
                        .withDescription("streaming completion"));

        mvc.perform(get(API + "/tokens/balance/").with(user("erin")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.balance").value(3_600))
                .andExpect(jsonPath("$.totalPurchased").value(0))
                .andExpect(jsonPath("$.totalUsed").value(200))
                .andExpect(jsonPath("$.totalGranted").value(3_800))
                .andExpect(jsonPath("$.reserved").value(700))
                .andExpect(jsonPath("$.available").value(2_900))
                .andExpect(jsonPath("$.nextExpiry.expiresAt").value(soon.toString()))
                .andExpect(jsonPath("$.nextExpiry.tokens").value(800 + 500));
        String lots = mvc.perform(get(API + "/tokens/lots/").with(user("erin")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(4)))
                .andExpect(jsonPath("$[0].source").value("grant"))
                .andExpect(jsonPath("$[0].amount").value(1_000))
                .andExpect(jsonPath("$[0].remaining").value(800))
                .andExpect(jsonPath("$[0].priority").value(-1))
                .andExpect(jsonPath("$[0].expiresAt").value(soon.toString()))
                .andExpect(jsonPath("$[0].purchaseId").value(nullValue()))
                .andExpect(jsonPath("$[1].remaining").value(500))
                .andExpect(jsonPath("$[2].expiresAt").value(later.toString()))
                .andExpect(jsonPath("$[3].remaining").value(300))
                .andExpect(jsonPath("$[3].expiresAt").value(nullValue()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(JSON.readTree(lots).get(0).get("id").isIntegralNumber()).isTrue();
        assertThat(JSON.readTree(lots).get(0).has("createdAt")).isTrue();
        String holds = mvc.perform(get(API + "/tokens/holds").with(user("erin")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(1)))
                .andExpect(jsonPath("$[0].id").value(hold.id()))
                .andExpect(jsonPath("$[0].amount").value(700))
                .andExpect(jsonPath("$[0].status").value("active"))
                .andExpect(jsonPath("$[0].description").value("streaming completion"))
                .andExpect(jsonPath("$[0].expiresAt").value(hold.expiresAt().toString()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(holds)
                .as("the metering side's idempotency key stays on the server")
                .doesNotContain("erin-req-2");

        mvc.perform(get(API + "/tokens/lots/").with(user("mallory")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(0)));
        mvc.perform(get(API + "/tokens/holds/").with(user("mallory")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(0)));

        service.reservations().settle(hold.userId(), hold.id(), 650);
        mvc.perform(get(API + "/tokens/holds/").with(user("erin"))).andExpect(jsonPath("$", hasSize(0)));
        mvc.perform(get(API + "/tokens/balance/").with(user("erin")))
                .andExpect(jsonPath("$.reserved").value(0))
                .andExpect(jsonPath("$.balance").value(2_950))
                .andExpect(jsonPath("$.nextExpiry.tokens").value(150 + 500));
    }

    @Test
    void shouldNotLetTheBrowserReserveOrSettle() throws Exception {
        mvc.perform(post(API + "/tokens/holds/")
                        .with(user("erin"))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"maxTokens\": 1000}"))
                .andExpect(status().isMethodNotAllowed());
        mvc.perform(post(API + "/tokens/holds/1/settle/").with(user("erin")).with(csrf()))
                .andExpect(status().isNotFound());
    }

    @Test
    void shouldReportHealth() {
        assertThat(health.health().getDetails())
                .containsEntry("database", "reachable")
                .containsEntry("stripe", "configured");
    }

    private double count(String name, String tagKey, String tagValue) {
        io.micrometer.core.instrument.Counter counter =
                meters.find(name).tag(tagKey, tagValue).counter();
        return counter == null ? 0 : counter.count();
    }

    private ResultActions purchase(String user, String json) throws Exception {
        return mvc.perform(post(API + "/tokens/purchase/")
                .with(user(user))
                .with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(json));
    }

    private ResultActions deliver(String payload, String signature) throws Exception {
        // Headers as Stripe sends them.
        MockHttpServletRequestBuilder request = post(WEBHOOK)
                .contentType("application/json; charset=utf-8")
                .header("Accept", "*/*; q=0.5, application/xml")
                .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .content(payload.getBytes(StandardCharsets.UTF_8));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        return mvc.perform(request);
    }

    private static JsonNode started(ResultActions result) throws Exception {
        return JSON.readTree(
                result.andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
    }

    /** The event of this type FakeStripe created for the PaymentIntent, as Stripe would send it. */
    private static String event(String type, String paymentIntentId) {
        return FAKE.events(type).stream()
                .filter(event ->
                        event.path("data").path("object").path("id").asText().equals(paymentIntentId))
                .reduce((first, second) -> second)
                .orElseThrow(() ->
                        new AssertionError("no " + type + " event for " + paymentIntentId + " in " + FAKE.eventTypes()))
                .toString();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** A host handler that fails for now: its event is answered 503 so that Stripe retries. */
        @Bean
        EventHandler failingInvoiceHandler() {
            return new EventHandler() {
                @Override
                public Set<String> eventTypes() {
                    return Set.of("invoice.payment_failed");
                }

                @Override
                public void handle(
                        String eventId, String eventType, com.fasterxml.jackson.databind.JsonNode dataObject) {
                    throw new IllegalStateException("invoice service is down");
                }
            };
        }
    }
}
