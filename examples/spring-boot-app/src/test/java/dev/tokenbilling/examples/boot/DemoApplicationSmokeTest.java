package dev.tokenbilling.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The whole demo on a real port, in demo mode (temporary embedded PostgreSQL, embedded FakeStripe):
 * the pages, the logins, and a Booster pack bought over HTTP the way the page buys it.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"demo.database.temporary=true", "demo.fake-stripe.force=true", "billing.reconciler.enabled=false"
        })
class DemoApplicationSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @Autowired
    FakeStripe fakeStripe;

    @Autowired
    TokenBillingService billing;

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void shouldSendAnonymousVisitorsToTheLoginPage() throws Exception {
        HttpResponse<String> page =
                send(request("/account/settings/billing").GET().header("Accept", "text/html"));

        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/login"));
        assertThat(send(request("/login").GET()).body()).contains("Sign in to your account", "alice");
        assertThat(send(request("/api/v1/billing/tokens/balance/").GET()).statusCode())
                .isEqualTo(401);
        HttpRequest anonymousPurchase = request("/api/v1/billing/tokens/purchase/")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"package_slug\": \"booster-500k\"}"))
                .build();
        assertThat(HttpClient.newHttpClient()
                        .send(anonymousPurchase, HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void shouldSignInWithTheLoginForm() throws Exception {
        JsonNode csrf = JSON.readTree(send(request("/api/demo/csrf").GET()).body());
        String form = "username=bob&password=bob&" + csrf.get("parameterName").asText() + "="
                + URLEncoder.encode(csrf.get("token").asText(), StandardCharsets.UTF_8);

        HttpResponse<String> login = send(request("/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));

        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).doesNotContain("error"));
        HttpResponse<String> page = send(request("/account/settings/billing").GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Buy More Tokens", "Token balance");
        assertThat(page.body())
                .as("the plan card beside the packs")
                .contains(
                        "Your plan",
                        "id=\"plan-name\"",
                        "id=\"allowance-remaining\"",
                        "id=\"plan-resets\"",
                        "id=\"tier-list\"",
                        "id=\"manage-billing\"",
                        "id=\"page-notice\"");
        assertThat(send(request("/js/billing.js").GET()).body())
                .contains("/subscription/checkout/", "/subscription/portal/", "checkout === 'success'");
        assertThat(JSON.readTree(send(request("/api/demo/me").GET()).body())
                        .get("username")
                        .asText())
                .isEqualTo("bob");
    }

    @Test
    void shouldServeTheDefaultPacksAndTiersAndTheStripeStandIn() throws Exception {
        JsonNode packages =
                JSON.readTree(send(request("/api/v1/billing/packages/").GET()).body());
        JsonNode config =
                JSON.readTree(send(request("/api/v1/billing/config/").GET()).body());

        assertThat(packages)
                .extracting(p -> p.get("slug").asText())
                .containsExactly("starter-100k", "booster-500k", "power-1m");
        assertThat(packages)
                .allSatisfy(p -> assertThat(p.get("stripePriceId").asText()).startsWith("price_"));
        assertThat(billing.catalog().tiers())
                .as("the default tiers, seeded and synced to FakeStripe like the packs")
                .extracting(tier -> tier.slug())
                .containsExactly("explorer", "plus", "pro");
        assertThat(billing.catalog().tiers()).filteredOn(tier -> !tier.free()).allSatisfy(tier -> {
            assertThat(tier.subscribable(BillingInterval.MONTH)).isTrue();
            assertThat(tier.subscribable(BillingInterval.YEAR)).isTrue();
        });
        assertThat(config.get("publishableKey").asText()).startsWith("pk_test_");
        assertThat(config.get("stripeApiBase").asText()).isEqualTo(fakeStripe.apiBase());
        assertThat(send(request("/js/stripe-standin.js").GET()).body()).contains("confirmPayment");
    }

    @Test
    void shouldCreditABoosterPackOnceTheWebhookLands() throws Exception {
        HttpResponse<String> started = send(request("/api/v1/billing/tokens/purchase/")
                .header("Authorization", basic("alice"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"package_slug\": \"booster-500k\"}")));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode purchase = JSON.readTree(started.body());

        // What the Stripe.js stand-in does in the browser.
        HttpResponse<String> confirmed = http.send(
                HttpRequest.newBuilder(URI.create(fakeStripe.apiBase() + "/v1/payment_intents/"
                                + purchase.get("payment_intent_id").asText() + "/confirm"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "payment_method=pm_card_visa&key=" + FakeStripe.PUBLISHABLE_KEY + "&client_secret="
                                        + URLEncoder.encode(
                                                purchase.get("client_secret").asText(), StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);

        Instant deadline = Instant.now().plusSeconds(15);
        long balance;
        do {
            Thread.sleep(100);
            balance = JSON.readTree(send(request("/api/v1/billing/tokens/balance/")
                                    .header("Authorization", basic("alice"))
                                    .GET())
                            .body())
                    .get("balance")
                    .asLong();
        } while (balance != 500_000 && Instant.now().isBefore(deadline));
        assertThat(balance).isEqualTo(500_000);
    }

    @Test
    void shouldSpendTokensLikeAnAiRequestAndRefuseWhenTooFewAreLeft() throws Exception {
        HttpRequest.Builder spend = request("/api/demo/usage?tokens=2500")
                .header("Authorization", basic("bob"))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> refused = send(spend);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("title").asText()).isEqualTo("Not enough tokens");

        billing.ledger().grant(Grant.of(UserId.of("bob"), 10_000, IdempotencyKey.of("smoke-welcome-bob"), "welcome"));
        HttpResponse<String> spent = send(spend);

        assertThat(spent.statusCode()).as(spent.body()).isEqualTo(200);
        assertThat(JSON.readTree(spent.body()).get("balance").asLong()).isEqualTo(7_500);
        assertThat(JSON.readTree(spent.body()).get("totalUsed").asLong()).isEqualTo(2_500);
    }

    @Test
    void shouldShowTheLowBalanceEventsTheDemosListenerHeard() throws Exception {
        billing.ledger().grant(Grant.of(UserId.of("alice"), 20_000, IdempotencyKey.of("smoke-alert-alice"), "welcome"));
        long threshold = billing.ledger().balance(UserId.of("alice")).available() - 1_000;
        HttpResponse<String> alert = send(request("/api/v1/billing/alerts/low-balance/")
                .header("Authorization", basic("alice"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"threshold\": " + threshold + "}")));
        assertThat(alert.statusCode()).as(alert.body()).isEqualTo(200);
        HttpResponse<String> spent = send(request("/api/demo/usage?tokens=2500")
                .header("Authorization", basic("alice"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(spent.statusCode()).as(spent.body()).isEqualTo(200);

        Instant deadline = Instant.now().plusSeconds(15);
        JsonNode events;
        do {
            Thread.sleep(200);
            events = JSON.readTree(send(request("/api/demo/events")
                            .header("Authorization", basic("alice"))
                            .GET())
                    .body());
        } while (events.isEmpty() && Instant.now().isBefore(deadline));
        assertThat(events.get(0).get("type").asText()).isEqualTo("balance.low");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    }
}
