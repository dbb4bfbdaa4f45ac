package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.hook.StripeCustomerResolver;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.FaultKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Stripe failing while a purchase starts, with FakeStripe's faults: 500s, rate limits, timeouts, a
 * customer Stripe does not know, a rolled API key. The buyer gets a stable {@code code} and a plain
 * message, in the problem and in the failed purchase; Stripe's own text (request ids, customer ids,
 * hosts, "check STRIPE_SECRET_KEY") goes to the log only.
 */
@SpringBootTest(classes = PaymentProviderErrorTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class PaymentProviderErrorTest {

    static final String API = "/api/v1/billing";
    static final String GHOST_CUSTOMER = "cus_ghost4242deleted";
    static final FakeStripe FAKE =
            FakeStripe.builder().timeoutDelay(Duration.ofSeconds(3)).start();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(PaymentProviderErrorTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> "whsec_provider_errors");
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        // One attempt per call, so that each injected fault is seen once; a short read timeout for TIMEOUT.
        registry.add("billing.stripe.max-network-retries", () -> "0");
        registry.add("billing.stripe.read-timeout", () -> "1s");
        registry.add("billing.reconciler.enabled", () -> "false");
        registry.add("billing.expiry.enabled", () -> "false");
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

    @AfterEach
    void acceptTheKeyAgain() {
        FAKE.requireApiKeys(null, null);
    }

    @Test
    void shouldAnswerAStripeOutageWithAStableCodeAndAPlainMessage(CapturedOutput log) throws Exception {
        FAKE.failNext("/v1/payment_intents", 1, FaultKind.SERVER_ERROR);

        JsonNode problem = purchaseFails("alice", 503);

        assertThat(problem.get("code").asText()).isEqualTo("payment_provider_unavailable");
        assertThat(problem.get("detail").asText()).isEqualTo("Payments are temporarily unavailable, please try again");
        assertThat(problem.get("title").asText()).isEqualTo("Failed to initiate purchase");
        assertThat(log.getOut()).as("the operator's detail").contains("Something went wrong on Stripe's end", "req_");
        assertPurchasesShowNoStripeDetail("alice");
    }

    @Test
    void shouldAnswerARateLimitAsUnavailable() throws Exception {
        FAKE.failNext("/v1/payment_intents", 1, FaultKind.RATE_LIMIT);

        JsonNode problem = purchaseFails("bob", 503);

        assertThat(problem.get("code").asText()).isEqualTo("payment_provider_unavailable");
        assertThat(problem.get("detail").asText()).isEqualTo("Payments are temporarily unavailable, please try again");
    }

    @Test
    void shouldNotNameStripesAddressWhenItTimesOut(CapturedOutput log) throws Exception {
        FAKE.failNext("/v1/payment_intents", 1, FaultKind.TIMEOUT);

        JsonNode problem = purchaseFails("carol", 503);

        assertThat(problem.get("code").asText()).isEqualTo("payment_provider_unavailable");
        assertThat(log.getOut()).as("the operator's detail").contains("Read timed out");
        assertPurchasesShowNoStripeDetail("carol");
    }

    @Test
    void shouldNotNameTheCustomerStripeRefused(CapturedOutput log) throws Exception {
        JsonNode problem = purchaseFails("ghost", 502);

        assertThat(problem.get("code").asText()).isEqualTo("payment_provider_error");
        assertThat(problem.get("detail").asText())
                .isEqualTo("The payment could not be started, please try again later");
        assertThat(log.getOut()).as("the operator's detail").contains("No such customer", GHOST_CUSTOMER);
        assertPurchasesShowNoStripeDetail("ghost");
    }

    @Test
    void shouldNotTellTheBuyerToCheckTheSecretKey(CapturedOutput log) throws Exception {
        FAKE.requireApiKeys("sk_test_rolled_in_the_dashboard", null);

        JsonNode problem = purchaseFails("dave", 502);

        assertThat(problem.get("code").asText()).isEqualTo("payment_provider_error");
        assertThat(problem.get("detail").asText())
                .isEqualTo("The payment could not be started, please try again later");
        assertThat(log.getOut()).as("the operator's detail").contains("check STRIPE_SECRET_KEY");
        FAKE.requireApiKeys(null, null);
        assertPurchasesShowNoStripeDetail("dave");
    }

    /** Starts a purchase that Stripe fails; returns its problem after checking it names nothing of Stripe's. */
    private JsonNode purchaseFails(String user, int status) throws Exception {
        MockHttpServletResponse response = mvc.perform(post(API + "/tokens/purchase/")
                        .with(user(user))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"package_slug\": \"booster-500k\"}"))
                .andReturn()
                .getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(body).isEqualTo(status);
        assertThat(response.getContentType()).startsWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        assertNoStripeDetail(body);
        return JSON.readTree(body);
    }

    /** The failed purchase, as the buyer lists it, shows a plain message too. */
    private void assertPurchasesShowNoStripeDetail(String user) throws Exception {
        String body = mvc.perform(get(API + "/tokens/purchases/").with(user(user)))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        JsonNode purchases = JSON.readTree(body);
        assertThat(purchases).isNotEmpty();
        assertThat(purchases.get(0).get("status").asText()).isEqualTo("failed");
        assertThat(purchases.get(0).get("failureCode").asText()).isEqualTo("payment_provider_error");
        assertThat(purchases.get(0).get("failureMessage").asText())
                .isEqualTo("The payment could not be started, please try again later");
        assertNoStripeDetail(body);
    }

    private static void assertNoStripeDetail(String body) {
        assertThat(body)
                .doesNotContain(
                        "req_",
                        "cus_",
                        GHOST_CUSTOMER,
                        "Stripe",
                        "stripe",
                        "STRIPE_SECRET_KEY",
                        "sk_test",
                        "FakeStripe",
                        "127.0.0.1",
                        "api.stripe.com",
                        "HTTP 5",
                        "HTTP 4",
                        "No such",
                        "Invalid API Key",
                        "Something went wrong",
                        "api_error",
                        "rate_limit");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** The host's customer mapping: the user "ghost" has a Stripe customer that was deleted at Stripe. */
        @Bean
        StripeCustomerResolver customers() {
            return user -> user.equals(UserId.of("ghost")) ? Optional.of(GHOST_CUSTOMER) : Optional.empty();
        }
    }
}
