package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.config.Customizer.withDefaults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.Browser;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.WebhookDelivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole purchase flow on a real server: the page starts a purchase through the REST API, Stripe.js
 * confirms it at FakeStripe, FakeStripe delivers the signed webhook over HTTP, and the balance shows
 * the tokens. The host here lets the billing API through its security and authenticates with HTTP
 * Basic, so the API's own 401 answers show.
 */
@SpringBootTest(classes = PurchaseFlowServerTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class PurchaseFlowServerTest {

    static final String WEBHOOK_SECRET = "whsec_server_test_secret";
    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(PurchaseFlowServerTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> WEBHOOK_SECRET);
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.reconciler.enabled", () -> "false");
    }

    @AfterAll
    static void stopStripe() {
        FAKE.close();
    }

    @BeforeEach
    void setUp() {
        if (FAKE.webhookEndpoints().isEmpty()) {
            FAKE.registerWebhookEndpoint(
                    "http://127.0.0.1:" + port + "/api/v1/billing/webhooks/stripe/", WEBHOOK_SECRET);
            SeedCatalog.seed(service);
        }
    }

    @Test
    void shouldBuyTokensThroughTheApiAndCreditThemWhenStripesWebhookArrives() throws Exception {
        HttpResponse<String> packages = call("GET", "/api/v1/billing/packages/", null, null);
        assertThat(packages.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(packages.body()).get(1).get("slug").asText()).isEqualTo("booster-500k");

        HttpResponse<String> purchase =
                call("POST", "/api/v1/billing/tokens/purchase/", "alice", "{\"package_slug\": \"booster-500k\"}");
        assertThat(purchase.statusCode()).as(purchase.body()).isEqualTo(200);
        JsonNode started = JSON.readTree(purchase.body());
        assertThat(started.get("amount").decimalValue()).isEqualByComparingTo("20.00");
        JsonNode confirmed = Browser.confirm(
                FAKE,
                started.get("payment_intent_id").asText(),
                started.get("client_secret").asText(),
                "pm_card_visa");
        assertThat(confirmed.get("status").asText()).isEqualTo("succeeded");

        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(
                                JSON.readTree(call("GET", "/api/v1/billing/tokens/balance/", "alice", null)
                                                .body())
                                        .get("balance")
                                        .asLong())
                        .isEqualTo(500_000));
        JsonNode status = JSON.readTree(call(
                        "GET",
                        "/api/v1/billing/tokens/purchases/"
                                + started.get("purchase_id").asLong() + "/",
                        "alice",
                        null)
                .body());
        assertThat(status.get("status").asText()).isEqualTo("completed");
        assertThat(FAKE.deliveryLog()).extracting(WebhookDelivery::statusCode).contains(200);
    }

    @Test
    void shouldShowADeclinedCardAsAFailedPurchaseAndLeaveTheBalanceAlone() throws Exception {
        JsonNode started = JSON.readTree(
                call("POST", "/api/v1/billing/tokens/purchase/", "bob", "{\"package_slug\": \"starter-100k\"}")
                        .body());
        JsonNode declined = Browser.confirm(
                FAKE,
                started.get("payment_intent_id").asText(),
                started.get("client_secret").asText(),
                "pm_card_chargeDeclined");
        assertThat(declined.path("error").path("code").asText()).isEqualTo("card_declined");

        String path =
                "/api/v1/billing/tokens/purchases/" + started.get("purchase_id").asLong() + "/";
        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(
                                JSON.readTree(call("GET", path, "bob", null).body())
                                        .get("status")
                                        .asText())
                        .isEqualTo("failed"));
        JsonNode purchase = JSON.readTree(call("GET", path, "bob", null).body());
        assertThat(purchase.get("failureCode").asText()).isNotBlank();
        assertThat(JSON.readTree(call("GET", "/api/v1/billing/tokens/balance/", "bob", null)
                                .body())
                        .get("balance")
                        .asLong())
                .isZero();
    }

    @Test
    void shouldAnswer401ProblemsToAnonymousCallers() throws Exception {
        for (String[] request : new String[][] {
            {"GET", "/api/v1/billing/tokens/balance/", "Failed to load token balance"},
            {"POST", "/api/v1/billing/tokens/purchase/", "Failed to initiate purchase"},
            {"GET", "/api/v1/billing/tokens/transactions/", "Failed to load token transactions"},
            {"GET", "/api/v1/billing/tokens/purchases/1/", "Failed to load purchase"},
            {"GET", "/api/v1/billing/tokens/lots/", "Failed to load token lots"},
            {"GET", "/api/v1/billing/tokens/holds/", "Failed to load token holds"}
        }) {
            HttpResponse<String> response = call(
                    request[0],
                    request[1],
                    null,
                    request[0].equals("POST") ? "{\"package_slug\":\"starter-100k\"}" : null);
            assertThat(response.statusCode()).as(request[1]).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.get("title").asText()).isEqualTo(request[2]);
            assertThat(problem.get("code").asText()).isEqualTo("not_authenticated");
        }
    }

    @Test
    void shouldAnswer404ForAnotherUsersPurchase() throws Exception {
        JsonNode started = JSON.readTree(
                call("POST", "/api/v1/billing/tokens/purchase/", "alice", "{\"packageSlug\": \"power-1m\"}")
                        .body());
        HttpResponse<String> asBob = call(
                "GET",
                "/api/v1/billing/tokens/purchases/" + started.get("purchase_id").asLong() + "/",
                "bob",
                null);
        assertThat(asBob.statusCode()).isEqualTo(404);
        assertThat(asBob.body()).doesNotContain(started.get("payment_intent_id").asText());
    }

    private HttpResponse<String> call(String method, String path, String user, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (user != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** A token-based API host: billing endpoints pass the filter chain and answer 401 themselves; no CSRF for /api. */
        @Bean
        SecurityFilterChain appSecurity(HttpSecurity http) throws Exception {
            http.authorizeHttpRequests(requests -> requests.requestMatchers("/api/v1/billing/**")
                            .permitAll()
                            .anyRequest()
                            .authenticated())
                    .httpBasic(withDefaults())
                    .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**"));
            return http.build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("alice")
                            .password("{noop}alice")
                            .roles("USER")
                            .build(),
                    User.withUsername("bob").password("{noop}bob").roles("USER").build());
        }
    }
}
