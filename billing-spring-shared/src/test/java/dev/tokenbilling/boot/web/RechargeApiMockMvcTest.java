package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.param.PaymentMethodAttachParams;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.support.Browser;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
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
 * The auto-recharge and low-balance alert endpoints of the REST API, on a real PostgreSQL and
 * FakeStripe: cards saved while buying (the page confirms like Stripe.js), the rule set, paused,
 * resumed and turned off, and a recharge the bank wants authenticated shown as {@code actionNeeded}.
 * The recharge worker is run by the test, not on a schedule.
 */
@SpringBootTest(classes = RechargeApiMockMvcTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class RechargeApiMockMvcTest {

    static final String API = "/api/v1/billing";
    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(RechargeApiMockMvcTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.stripe.test-mode-only", () -> "true");
        registry.add("billing.reconciler.enabled", () -> "false");
        registry.add("billing.expiry.enabled", () -> "false");
        registry.add("billing.recharge.enabled", () -> "false");
        registry.add("billing.webhook.enabled", () -> "false");
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
    void shouldShowAnEmptyAutoRechargeForANewUser() throws Exception {
        for (String path : List.of("/recharge/", "/recharge")) {
            mvc.perform(get(API + path).with(user("nora")))
                    .andExpect(status().isOk())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                    .andExpect(jsonPath("$.rule").value(nullValue()))
                    .andExpect(jsonPath("$.cards", hasSize(0)))
                    .andExpect(jsonPath("$.attempts", hasSize(0)))
                    .andExpect(jsonPath("$.actionNeeded").value(nullValue()))
                    .andExpect(jsonPath("$.lowBalanceAlert").value(nullValue()));
        }
        mvc.perform(get(API + "/recharge/")).andExpect(status().isUnauthorized());
    }

    @Test
    void shouldSaveTheCardWhileBuyingAndSetPauseResumeAndRemoveTheRule() throws Exception {
        buySavingCard("otto", "pm_card_visa");

        mvc.perform(get(API + "/recharge/").with(user("otto")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.cards", hasSize(1)))
                .andExpect(jsonPath("$.cards[0].id").value(startsWith("pm_")))
                .andExpect(jsonPath("$.cards[0].brand").value("visa"))
                .andExpect(jsonPath("$.cards[0].last4").value("4242"));

        for (String path : List.of("/recharge/", "/recharge")) {
            setRule("otto", path, "{\"package\": \"booster-500k\", \"threshold\": 50000, \"maxPerMonth\": 3}")
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.package").value("booster-500k"))
                    .andExpect(jsonPath("$.threshold").value(50_000))
                    .andExpect(jsonPath("$.paymentMethod").value(startsWith("pm_")))
                    .andExpect(jsonPath("$.maxPerMonth").value(3))
                    .andExpect(jsonPath("$.maxAmountPerMonth").value(3 * 2000))
                    .andExpect(jsonPath("$.running").value(true))
                    .andExpect(jsonPath("$.pausedReason").value(nullValue()));
        }
        mvc.perform(post(API + "/recharge/pause/").with(user("otto")).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.running").value(false))
                .andExpect(jsonPath("$.pausedReason").value("paused"));
        mvc.perform(post(API + "/recharge/resume").with(user("otto")).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.running").value(true));
        mvc.perform(get(API + "/recharge/").with(user("otto")))
                .andExpect(jsonPath("$.rule.package").value("booster-500k"))
                .andExpect(jsonPath("$.rule.running").value(true));

        mvc.perform(delete(API + "/recharge/").with(user("otto")).with(csrf())).andExpect(status().isNoContent());
        mvc.perform(delete(API + "/recharge").with(user("otto")).with(csrf())).andExpect(status().isNoContent());
        mvc.perform(get(API + "/recharge/").with(user("otto")))
                .andExpect(jsonPath("$.rule").value(nullValue()))
                .andExpect(jsonPath("$.cards", hasSize(1)));
        mvc.perform(post(API + "/recharge/pause/").with(user("otto")).with(csrf()))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to pause auto-recharge"))
                .andExpect(jsonPath("$.code").value("invalid_request"));
    }

    @Test
    void shouldAnswerMalformedRulesWith4xx() throws Exception {
        setRule("pia", "/recharge/", "{\"package\": \"booster-500k\", \"threshold\": 50000}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Failed to set up auto-recharge"))
                .andExpect(jsonPath("$.code").value("invalid_request"))
                .andExpect(jsonPath("$.field").value("paymentMethodId"));
        buySavingCard("pia", "pm_card_visa");
        for (String body : List.of(
                "",
                "not json",
                "[]",
                "{\"threshold\": 50000}",
                "{\"package\": \"booster-500k\"}",
                "{\"package\": \"booster-500k\", \"threshold\": \"lots\"}",
                "{\"package\": \"booster-500k\", \"threshold\": 1e40}",
                "{\"package\": \"booster-500k\", \"threshold\": 99999999999999999999999}",
                "{\"package\": \"booster-500k\", \"threshold\": -1}",
                "{\"package\": \"booster-500k\", \"threshold\": 0}",
                "{\"package\": \"booster-500k\", \"threshold\": 5, \"maxPerMonth\": 0}",
                "{\"package\": \"booster-500k\", \"threshold\": 5, \"maxPerMonth\": 101}",
                "{\"package\": \"booster-500k\", \"threshold\": 5, \"maxAmountPerMonth\": -3}",
                "{\"package\": \"booster-500k\", \"threshold\": 5, \"paymentMethod\": \"pm_not_mine\"}",
                "{\"package\": \"booster-500k\", \"threshold\": 5, \"paymentMethod\": \"pm\\u0000x\"}",
                "{\"package\": [\"booster-500k\"], \"threshold\": 5}")) {
            setRule("pia", "/recharge/", body)
                    .andExpect(status().isBadRequest())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.code").value("invalid_request"));
        }
        setRule("pia", "/recharge/", "{\"package\": \"no-such-pack\", \"threshold\": 5}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("unknown_package"));
        setRule("pia", "/recharge/", "{\"package\": \"" + "x".repeat(500) + "\", \"threshold\": 5}")
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.code").value("unknown_package"));
        mvc.perform(delete(API + "/recharge/cards/pm_not_mine/")
                        .with(user("pia"))
                        .with(csrf()))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Failed to remove card"));
        mvc.perform(put(API + "/recharge/")
                        .with(user("pia"))
                        .with(csrf())
                        .contentType(MediaType.TEXT_PLAIN)
                        .content("booster"))
                .andExpect(status().isUnsupportedMediaType());
    }

    @Test
    void shouldStartSavingACardWithoutBuyingAndRemoveASavedCard() throws Exception {
        for (String path : List.of("/recharge/cards/", "/recharge/cards")) {
            mvc.perform(post(API + path).with(user("quinn")).with(csrf()))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.setupIntentId").value(startsWith("seti_")))
                    .andExpect(jsonPath("$.clientSecret").value(startsWith("seti_")));
        }
        buySavingCard("quinn", "pm_card_visa");
        setRule("quinn", "/recharge/", "{\"package\": \"booster-500k\", \"threshold\": 1000}")
                .andExpect(status().isOk());
        String card = service.recharge().cards(UserId.of("quinn")).get(0).paymentMethodId();

        mvc.perform(delete(API + "/recharge/cards/" + card + "/")
                        .with(user("quinn"))
                        .with(csrf()))
                .andExpect(status().isNoContent());

        mvc.perform(get(API + "/recharge/").with(user("quinn")))
                .andExpect(jsonPath("$.cards", hasSize(0)))
                .andExpect(jsonPath("$.rule.running").value(false))
                .andExpect(jsonPath("$.rule.pausedReason").value("card removed"));
    }

    @Test
    void shouldShowARechargeWaitingForTheUserWithItsClientSecret() throws Exception {
        UserId user = UserId.of("rosa");
        buySavingCard("rosa", "pm_card_visa");
        service.operations().deliverEvents(100);
        StripeClient stripe = StripeClient.builder()
                .setApiKey(FAKE.secretKey())
                .setApiBase(FAKE.apiBase())
                .build();
        String customer = stripe.v1()
                .paymentMethods()
                .retrieve(service.recharge().cards(user).get(0).paymentMethodId())
                .getCustomer();
        String needsAuthentication = stripe.v1()
                .paymentMethods()
                .attach(
                        "pm_card_authenticationRequired",
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build())
                .getId();
        setRule(
                        "rosa",
                        "/recharge/",
                        "{\"package\": \"booster-500k\", \"threshold\": 50000, \"paymentMethod\": \""
                                + needsAuthentication + "\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.paymentMethod").value(needsAuthentication));
        service.ledger().grant(dev.tokenbilling.model.Grant.of(user, 100_000, IdempotencyKey.of("rosa-grant"), "test"));
        service.ledger().debit(Debit.of(user, 60_000, IdempotencyKey.of("rosa-crossing")));
        service.recharge().runDue(10);

        JsonNode overview = JSON.readTree(mvc.perform(get(API + "/recharge/").with(user("rosa")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.rule.running").value(false))
                .andExpect(jsonPath("$.attempts[0].status").value("requires_action"))
                .andExpect(jsonPath("$.actionNeeded.paymentIntentId").value(startsWith("pi_")))
                .andExpect(jsonPath("$.actionNeeded.clientSecret").value(startsWith("pi_")))
                .andExpect(jsonPath("$.actionNeeded.amount").value(20.0))
                .andExpect(jsonPath("$.actionNeeded.currency").value("USD"))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(overview.get("actionNeeded").get("attemptId").asLong())
                .isEqualTo(overview.get("attempts").get(0).get("id").asLong());
    }

    @Test
    void shouldSetAndClearTheLowBalanceAlert() throws Exception {
        for (String path : List.of("/alerts/low-balance/", "/alerts/low-balance")) {
            mvc.perform(put(API + path)
                            .with(user("sam"))
                            .with(csrf())
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"threshold\": 10000}"))
                    .andExpect(status().isOk())
                    .andExpect(jsonPath("$.threshold").value(10_000));
        }
        mvc.perform(get(API + "/recharge/").with(user("sam")))
                .andExpect(jsonPath("$.lowBalanceAlert").value(10_000));
        for (String body : List.of("", "{}", "{\"threshold\": 0}", "{\"threshold\": \"x\"}", "{\"threshold\": 1e99}")) {
            mvc.perform(put(API + "/alerts/low-balance/")
                            .with(user("sam"))
                            .with(csrf())
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(body))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.title").value("Failed to set low-balance alert"));
        }
        mvc.perform(delete(API + "/alerts/low-balance/").with(user("sam")).with(csrf()))
                .andExpect(status().isNoContent());
        mvc.perform(get(API + "/recharge/").with(user("sam")))
                .andExpect(jsonPath("$.lowBalanceAlert").value(nullValue()));
    }

    /** Starts a purchase that saves the card and pays it as the page does. */
    private void buySavingCard(String user, String paymentMethod) throws Exception {
        JsonNode started = JSON.readTree(mvc.perform(post(API + "/tokens/purchase/")
                        .with(user(user))
                        .with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"package_slug\": \"starter-100k\", \"saveCard\": true}"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        JsonNode paid = Browser.confirm(
                FAKE,
                started.get("payment_intent_id").asText(),
                started.get("client_secret").asText(),
                paymentMethod);
        assertThat(paid.path("status").asText()).isEqualTo("succeeded");
    }

    private ResultActions setRule(String user, String path, String body) throws Exception {
        return mvc.perform(put(API + path)
                .with(user(user))
                .with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
