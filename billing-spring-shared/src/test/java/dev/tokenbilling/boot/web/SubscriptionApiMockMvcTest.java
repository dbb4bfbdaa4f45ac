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
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.RecordedRequest;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The subscription endpoints and the pack checkout of the REST API, on a real PostgreSQL and
 * FakeStripe, with the default catalog's tiers (Explorer free, Plus, Pro) synced to it. Checkouts are
 * paid on FakeStripe's hosted page without a browser ({@code completeCheckout}); the events it made
 * then arrive at the webhook endpoint, signed as Stripe signs them.
 */
@SpringBootTest(classes = SubscriptionApiMockMvcTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class SubscriptionApiMockMvcTest {

    static final String WEBHOOK_SECRET = "whsec_subscription_test_secret";
    static final String WEBHOOK = "/api/v1/billing/webhooks/stripe/";
    static final String API = "/api/v1/billing";
    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(SubscriptionApiMockMvcTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> WEBHOOK_SECRET);
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.stripe.test-mode-only", () -> "true");
        registry.add("billing.reconciler.enabled", () -> "false");
        registry.add("billing.expiry.enabled", () -> "false");
        registry.add("billing.web.return-path", () -> "/account/billing");
    }

    @AfterAll
    static void stopStripe() {
        FAKE.close();
    }

    @BeforeEach
    void seedCatalog() {
        if (service.catalog().packages().isEmpty()) {
            SeedCatalog.seed(service);
            SeedCatalog.seedTiers(service);
        }
    }

    // ---- GET /tiers/ ---------------------------------------------------------------------------

    @Test
    void shouldListTheTiersInTheApisShape() throws Exception {
        String body = mvc.perform(get(API + "/tiers/").with(user("alice")))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$", hasSize(3)))
                .andExpect(jsonPath("$[0].slug").value("explorer"))
                .andExpect(jsonPath("$[0].name").value("Explorer"))
                .andExpect(jsonPath("$[0].free").value(true))
                .andExpect(jsonPath("$[0].monthlyPrice").value("0.00"))
                .andExpect(jsonPath("$[0].yearlyPrice").value(nullValue()))
                .andExpect(jsonPath("$[0].tokensPerPeriod").value(50_000))
                .andExpect(jsonPath("$[0].subscribable.month").value(false))
                .andExpect(jsonPath("$[0].subscribable.year").value(false))
                .andExpect(jsonPath("$[1].slug").value("plus"))
                .andExpect(jsonPath("$[1].free").value(false))
                .andExpect(jsonPath("$[1].monthlyPrice").value("10.00"))
                .andExpect(jsonPath("$[1].yearlyPrice").value("100.00"))
                .andExpect(jsonPath("$[1].currency").value("USD"))
                .andExpect(jsonPath("$[1].tokensPerPeriod").value(600_000))
                .andExpect(jsonPath("$[1].rolloverCap").value(nullValue()))
                .andExpect(jsonPath("$[1].description").value("600,000 AI tokens every month"))
                .andExpect(jsonPath("$[1].subscribable.month").value(true))
                .andExpect(jsonPath("$[1].subscribable.year").value(true))
                .andExpect(jsonPath("$[2].slug").value("pro"))
                .andExpect(jsonPath("$[2].monthlyPrice").value("25.00"))
                .andExpect(jsonPath("$[2].rolloverCap").value(500_000))
                .andReturn()
                .getResponse()
                .getContentAsString();
        JsonNode plus = JSON.readTree(body).get(1);
        assertThat(plus.get("monthlyPrice").isTextual())
                .as("prices as the packages show them")
                .isTrue();
        assertThat(plus.has("stripeMonthlyPriceId"))
                .as("Stripe's ids stay on the server")
                .isFalse();
        mvc.perform(get(API + "/tiers").with(user("alice")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(3)));
    }

    // ---- GET /subscription/ --------------------------------------------------------------------

    @Test
    void shouldPutAUserWithoutSubscriptionOnTheFreeTierWithItsMonthlyAllowance() throws Exception {
        double granted = count("billing.allowance.granted");
        Instant nextMonth = YearMonth.now(ZoneOffset.UTC)
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);

        for (String path : List.of("/subscription/", "/subscription")) {
            mvc.perform(get(API + path).with(user("fiona")))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.tier.slug").value("explorer"))
                    .andExpect(jsonPath("$.tier.free").value(true))
                    .andExpect(jsonPath("$.subscription").value(nullValue()))
                    .andExpect(jsonPath("$.allowanceRemaining").value(50_000))
                    .andExpect(jsonPath("$.resetsAt").value(nextMonth.toString()));
        }

        mvc.perform(get(API + "/tokens/balance/").with(user("fiona")))
                .andExpect(jsonPath("$.balance").value(50_000));
        assertThat(count("billing.allowance.granted"))
                .as("granted once a month, however often the page asks")
                .isEqualTo(granted + 50_000);
    }

    @Test
    void shouldSubscribeThroughCheckoutAndShowThePaidTierWithItsAllowance() throws Exception {
        double active = count("billing.subscriptions.changed", "status", "active", "tier", "plus");
        double granted = count("billing.allowance.granted");

        JsonNode started = JSON.readTree(checkout("gina", "{\"tier\": \"plus\", \"interval\": \"month\"}")
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.sessionId").value(startsWith("cs_")))
                .andExpect(jsonPath("$.url").value(startsWith(FAKE.apiBase())))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(started.has("purchaseId"))
                .as("a subscription pays no purchase")
                .isFalse();
        String subscription = pay("gina", started.get("sessionId").asText());

        JsonNode overview = JSON.readTree(mvc.perform(
                        get(API + "/subscription/").with(user("gina")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tier.slug").value("plus"))
                .andExpect(jsonPath("$.tier.free").value(false))
                .andExpect(jsonPath("$.subscription.stripeSubscriptionId").value(subscription))
                .andExpect(jsonPath("$.subscription.tier").value("plus"))
                .andExpect(jsonPath("$.subscription.status").value("active"))
                .andExpect(jsonPath("$.subscription.interval").value("month"))
                .andExpect(jsonPath("$.subscription.currentPeriodEnd").isString())
                .andExpect(jsonPath("$.subscription.cancelAtPeriodEnd").value(false))
                .andExpect(jsonPath("$.subscription.canceledAt").value(nullValue()))
                .andExpect(jsonPath("$.allowanceRemaining").value(600_000))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(overview.get("resetsAt").asText())
                .as("the next allowance comes with the next period")
                .isEqualTo(overview.get("subscription").get("currentPeriodEnd").asText());
        mvc.perform(get(API + "/tokens/balance/").with(user("gina")))
                .andExpect(jsonPath("$.balance").value(600_000));
        assertThat(count("billing.subscriptions.changed", "status", "active", "tier", "plus"))
                .isGreaterThan(active);
        assertThat(count("billing.allowance.granted")).isEqualTo(granted + 600_000);

        // Switching tiers is the portal's work.
        checkout("gina", "{\"tier\": \"pro\", \"interval\": \"month\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.title").value("Failed to start subscription checkout"))
                .andExpect(jsonPath("$.code").value("already_subscribed"));
    }

    @Test
    void shouldAnswer401ToAnonymousCalls() throws Exception {
        mvc.perform(get(API + "/subscription/")).andExpect(status().isUnauthorized());
        for (String path : List.of(
                "/subscription/checkout/",
                "/subscription/portal/",
                "/subscription/cancel/",
                "/subscription/resume/",
                "/tokens/checkout/")) {
            mvc.perform(post(API + path)
                            .with(csrf())
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"tier\": \"plus\", \"package\": \"booster-500k\"}"))
                    .andExpect(status().isUnauthorized());
        }
    }

    // ---- POST /subscription/checkout/ ----------------------------------------------------------

    @Test
    void shouldStartASubscriptionCheckoutReturningToTheBillingPage() throws Exception {
        String sessionId = JSON.readTree(checkout("hank", "{\"tier\": \"plus\", \"interval\": \"year\"}")
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("sessionId")
                .asText();

        JsonNode session = FAKE.object(sessionId).orElseThrow();
        assertThat(session.path("mode").asText()).isEqualTo("subscription");
        assertThat(session.path("success_url").asText())
                .isEqualTo("http://localhost/account/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}");
        assertThat(session.path("cancel_url").asText()).isEqualTo("http://localhost/account/billing?checkout=canceled");
        assertThat(session.path("metadata").path("user_id").asText()).isEqualTo("hank");
        assertThat(JSON.readTree(sentSince(0, "/v1/checkout/sessions", "hank").params())
                        .path("line_items")
                        .path("0")
                        .path("price")
                        .asText())
                .isEqualTo(plus().stripeYearlyPriceId().orElseThrow());
    }

    @Test
    void shouldPassTheCallersReturnUrlsOnToStripe() throws Exception {
        String sessionId = JSON.readTree(checkout(
                                "ivan",
                                "{\"tier\": \"pro\", \"successUrl\": \"https://shop.example/ok?s={CHECKOUT_SESSION_ID}\","
                                        + " \"cancel_url\": \"https://shop.example/pricing\"}")
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("sessionId")
                .asText();

        JsonNode session = FAKE.object(sessionId).orElseThrow();
        assertThat(session.path("success_url").asText()).isEqualTo("https://shop.example/ok?s={CHECKOUT_SESSION_ID}");
        assertThat(session.path("cancel_url").asText()).isEqualTo("https://shop.example/pricing");
        assertThat(JSON.readTree(sentSince(0, "/v1/checkout/sessions", "ivan").params())
                        .path("line_items")
                        .path("0")
                        .path("price")
                        .asText())
                .as("interval defaults to month")
                .isEqualTo(pro().stripeMonthlyPriceId().orElseThrow());
    }

    @Test
    void shouldExplainAnInvalidSubscriptionCheckout() throws Exception {
        checkout("alice", "{}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Failed to start subscription checkout"))
                .andExpect(jsonPath("$.code").value("invalid_request"))
                .andExpect(jsonPath("$.field").value("tier"));
        mvc.perform(post(API + "/subscription/checkout/").with(user("alice")).with(csrf()))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("tier"));
        checkout("alice", "{not json")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid_request"))
                .andExpect(
                        jsonPath("$.detail")
                                .value(
                                        "The request body is not valid JSON; expected e.g. {\"tier\": \"plus\", \"interval\": \"month\"}"));
        checkout("alice", "{\"tier\": {\"slug\": \"plus\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid_request"));
        checkout("alice", "[1, 2]").andExpect(status().isBadRequest());
        checkout("alice", "{\"tier\": \"plus\", \"interval\": \"weekly\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("interval"))
                .andExpect(jsonPath("$.detail").value("interval: must be 'month' or 'year', was 'weekly'"));
        checkout("alice", "{\"tier\": \"plus\", \"successUrl\": \"javascript:alert(1)\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("successUrl"));
        checkout("alice", "{\"tier\": \"plus\", \"cancelUrl\": \"https://shop.example/" + "x".repeat(3_000) + "\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("cancelUrl"));
        checkout("alice", "{\"tier\": \"mega\"}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("unknown_tier"))
                .andExpect(jsonPath("$.detail").value(startsWith("Unknown subscription tier 'mega'")));
        String body = checkout("alice", "{\"tier\": \"" + "t".repeat(10_000) + "\"}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("unknown_tier"))
                .andExpect(jsonPath("$.detail").value("Unknown subscription tier '" + "t".repeat(64) + "…'"))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).hasSizeLessThan(1_000);
        checkout("alice", "{\"tier\": \"explorer\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.code").value("tier_not_available"));
        mvc.perform(post(API + "/subscription/checkout")
                        .with(user("alice"))
                        .with(csrf())
                        .contentType(MediaType.TEXT_PLAIN)
                        .content("plus"))
                .andExpect(status().isUnsupportedMediaType());
    }

    // ---- POST /subscription/portal/, /cancel/, /resume/ ----------------------------------------

    @Test
    void shouldAnswer404ToPortalCancelAndResumeOfAUserWhoNeverSubscribed() throws Exception {
        for (String path : List.of("/subscription/portal/", "/subscription/cancel/", "/subscription/resume")) {
            mvc.perform(post(API + path).with(user("jack")).with(csrf()))
                    .andExpect(status().isNotFound())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.code").value("no_subscription"));
        }
        mvc.perform(post(API + "/subscription/portal").with(user("jack")).with(csrf()))
                .andExpect(jsonPath("$.title").value("Failed to open billing portal"));
        mvc.perform(post(API + "/subscription/cancel").with(user("jack")).with(csrf()))
                .andExpect(jsonPath("$.title").value("Failed to cancel subscription"));
        mvc.perform(post(API + "/subscription/resume/").with(user("jack")).with(csrf()))
                .andExpect(jsonPath("$.title").value("Failed to resume subscription"));
    }

    @Test
    void shouldOpenTheCustomerPortalOfASubscriber() throws Exception {
        subscribe("kate", "pro");

        String url = JSON.readTree(mvc.perform(post(API + "/subscription/portal/")
                                .with(user("kate"))
                                .with(csrf())
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{}"))
                        .andExpect(status().isOk())
                        .andExpect(jsonPath("$.url").value(startsWith(FAKE.apiBase() + "/billing_portal/session/")))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("url")
                .asText();
        JsonNode portal = FAKE.objects("billing_portal.session").stream()
                .filter(session -> url.equals(session.path("url").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(portal.path("return_url").asText()).isEqualTo("http://localhost/account/billing");
        assertThat(portal.path("customer").asText())
                .isEqualTo(service.subscriptions()
                        .subscriptions(UserId.of("kate"))
                        .get(0)
                        .stripeCustomerId()
                        .orElseThrow());

        // Without a body, and with the caller's own return URL.
        mvc.perform(post(API + "/subscription/portal").with(user("kate")).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.url").isString());
        mvc.perform(post(API + "/subscription/portal")
                        .with(user("kate"))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"returnUrl\": \"https://shop.example/account\"}"))
                .andExpect(status().isOk());
        assertThat(FAKE.objects("billing_portal.session"))
                .extracting(session -> session.path("return_url").asText())
                .contains("https://shop.example/account");

        mvc.perform(post(API + "/subscription/portal")
                        .with(user("kate"))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"returnUrl\": \"ftp://files.example/\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to open billing portal"))
                .andExpect(jsonPath("$.field").value("returnUrl"));
        mvc.perform(post(API + "/subscription/portal")
                        .with(user("kate"))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"returnUrl\": [1]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void shouldCancelAndResumeASubscriptionAtStripe() throws Exception {
        String subscription = subscribe("liam", "plus");

        mvc.perform(post(API + "/subscription/cancel/").with(user("liam")).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.stripeSubscriptionId").value(subscription))
                .andExpect(jsonPath("$.status").value("active"))
                .andExpect(jsonPath("$.cancelAtPeriodEnd").value(true));
        assertThat(FAKE.object(subscription)
                        .orElseThrow()
                        .path("cancel_at_period_end")
                        .asBoolean())
                .isTrue();
        mvc.perform(get(API + "/subscription").with(user("liam")))
                .andExpect(jsonPath("$.tier.slug").value("plus"))
                .andExpect(jsonPath("$.subscription.cancelAtPeriodEnd").value(true))
                .andExpect(jsonPath("$.allowanceRemaining").value(600_000));

        mvc.perform(post(API + "/subscription/resume").with(user("liam")).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.stripeSubscriptionId").value(subscription))
                .andExpect(jsonPath("$.cancelAtPeriodEnd").value(false));
        assertThat(FAKE.object(subscription)
                        .orElseThrow()
                        .path("cancel_at_period_end")
                        .asBoolean())
                .isFalse();
    }

    // ---- POST /tokens/checkout/ ----------------------------------------------------------------

    @Test
    void shouldBuyAPackThroughCheckout() throws Exception {
        double completed = count("billing.purchases.completed", "package", "booster-500k");
        JsonNode started = JSON.readTree(packCheckout("mia", "{\"package\": \"booster-500k\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.sessionId").value(startsWith("cs_")))
                .andExpect(jsonPath("$.url").value(startsWith(FAKE.apiBase())))
                .andExpect(jsonPath("$.purchaseId").isNumber())
                .andReturn()
                .getResponse()
                .getContentAsString());
        String sessionId = started.get("sessionId").asText();
        long purchase = started.get("purchaseId").asLong();
        JsonNode session = FAKE.object(sessionId).orElseThrow();
        assertThat(session.path("mode").asText()).isEqualTo("payment");
        assertThat(session.path("success_url").asText())
                .isEqualTo("http://localhost/account/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}");
        assertThat(session.path("cancel_url").asText()).isEqualTo("http://localhost/account/billing?checkout=canceled");
        mvc.perform(get(API + "/tokens/purchases/" + purchase + "/").with(user("mia")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("pending"))
                .andExpect(jsonPath("$.packageSlug").value("booster-500k"));

        JsonNode paid = FAKE.completeCheckout(sessionId, "pm_card_visa");
        String paymentIntent = paid.path("payment_intent").asText();
        deliver(event("payment_intent.succeeded", paymentIntent));

        mvc.perform(get(API + "/tokens/purchases/" + purchase).with(user("mia")))
                .andExpect(jsonPath("$.status").value("completed"))
                .andExpect(jsonPath("$.paymentIntentId").value(paymentIntent));
        mvc.perform(get(API + "/tokens/balance").with(user("mia")))
                .andExpect(jsonPath("$.balance").value(500_000));
        assertThat(count("billing.purchases.completed", "package", "booster-500k"))
                .isEqualTo(completed + 1);
        // Another user cannot see it.
        mvc.perform(get(API + "/tokens/purchases/" + purchase + "/").with(user("mallory")))
                .andExpect(status().isNotFound());
    }

    @Test
    void shouldExplainAnInvalidPackCheckout() throws Exception {
        double refused = count("billing.purchases.failed", "reason", "unknown_package");
        packCheckout("alice", "{}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to start checkout"))
                .andExpect(jsonPath("$.field").value("package"));
        packCheckout("alice", "{not json")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail")
                        .value("The request body is not valid JSON; expected e.g. {\"package\": \"booster-500k\"}"));
        packCheckout("alice", "{\"package\": \"mega-pack\"}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("unknown_package"))
                .andExpect(jsonPath("$.detail").value("Unknown token package 'mega-pack'"));
        packCheckout("alice", "{\"package_slug\": \"" + "p".repeat(5_000) + "\"}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("Unknown token package '" + "p".repeat(64) + "…'"));
        packCheckout("alice", "{\"packageSlug\": \"starter-100k\", \"successUrl\": \"/relative\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("successUrl"));
        // Counted like POST /tokens/purchase/ counts them: a slug no package can have is refused before.
        assertThat(count("billing.purchases.failed", "reason", "unknown_package"))
                .isEqualTo(refused + 1);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private ResultActions checkout(String user, String json) throws Exception {
        return mvc.perform(post(API + "/subscription/checkout/")
                .with(user(user))
                .with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(json));
    }

    private ResultActions packCheckout(String user, String json) throws Exception {
        return mvc.perform(post(API + "/tokens/checkout/")
                .with(user(user))
                .with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(json));
    }

    /** The first request FakeStripe got since the {@code before}th to {@code path} for {@code user}. */
    private static RecordedRequest sentSince(int before, String path, String user) {
        List<RecordedRequest> requests = FAKE.requests();
        return requests.subList(before, requests.size()).stream()
                .filter(request -> request.path().startsWith(path))
                .filter(request -> request.params().contains("\"user_id\":\"" + user + "\""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("FakeStripe got no request to " + path + " for " + user));
    }

    private SubscriptionTier plus() {
        return service.catalog().findTier("plus").orElseThrow();
    }

    private SubscriptionTier pro() {
        return service.catalog().findTier("pro").orElseThrow();
    }

    /**
     * Subscribes the user to the tier per month the way the page does: the API's checkout, the
     * session paid on FakeStripe's hosted page, then the events that made (the subscription, its paid
     * invoice, the completed session) delivered to the webhook endpoint. Returns the subscription's id.
     */
    private String subscribe(String user, String tier) throws Exception {
        String sessionId = JSON.readTree(checkout(user, "{\"tier\": \"" + tier + "\"}")
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("sessionId")
                .asText();
        return pay(user, sessionId);
    }

    /** Pays the subscription checkout and delivers the events it made; returns the subscription's id. */
    private String pay(String user, String sessionId) throws Exception {
        JsonNode session = FAKE.completeCheckout(sessionId, "pm_card_visa");
        String subscription = session.path("subscription").asText();
        deliver(event("customer.subscription.created", subscription));
        deliver(event("invoice.paid", session.path("invoice").asText()));
        deliver(event("checkout.session.completed", sessionId));
        assertThat(service.subscriptions().subscriptions(UserId.of(user)))
                .extracting(s -> s.stripeSubscriptionId())
                .contains(subscription);
        return subscription;
    }

    /** The latest event of this type FakeStripe made about the object with this id, as Stripe would send it. */
    private static String event(String type, String objectId) {
        return FAKE.events(type).stream()
                .filter(event ->
                        event.path("data").path("object").path("id").asText().equals(objectId))
                .reduce((first, second) -> second)
                .orElseThrow(
                        () -> new AssertionError("no " + type + " event for " + objectId + " in " + FAKE.eventTypes()))
                .toString();
    }

    /** Delivers the event to the webhook endpoint, signed as Stripe signs it; expects it processed. */
    private void deliver(String event) throws Exception {
        mvc.perform(post(WEBHOOK)
                        .contentType("application/json; charset=utf-8")
                        .header("Stripe-Signature", StripeWebhookSigner.header(event, WEBHOOK_SECRET))
                        .content(event.getBytes(StandardCharsets.UTF_8)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("processed"));
    }

    private double count(String name, String... tags) {
        io.micrometer.core.instrument.Counter counter =
                meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
