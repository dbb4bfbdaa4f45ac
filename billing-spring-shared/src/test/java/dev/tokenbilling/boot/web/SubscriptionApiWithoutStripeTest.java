package dev.tokenbilling.boot.web;

import static org.hamcrest.Matchers.hasSize;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import java.util.List;
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

/**
 * The subscription endpoints of a host without Stripe: the tiers and the free tier's allowance work,
 * what needs Stripe is {@code 503 payments_not_configured}.
 */
@SpringBootTest(classes = SubscriptionApiWithoutStripeTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class SubscriptionApiWithoutStripeTest {

    static final String API = "/api/v1/billing";

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(SubscriptionApiWithoutStripeTest.class));
        registry.add("billing.expiry.enabled", () -> "false");
    }

    @BeforeEach
    void saveTiers() {
        if (service.catalog().tiers().isEmpty()) {
            SeedCatalog.tiers().forEach(service.catalog()::saveTier);
        }
    }

    @Test
    void shouldListTheTiersAndGrantTheFreeAllowanceWithoutStripe() throws Exception {
        mvc.perform(get(API + "/tiers/").with(user("nora")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(3)))
                .andExpect(jsonPath("$[1].slug").value("plus"))
                .andExpect(jsonPath("$[1].subscribable.month").value(false))
                .andExpect(jsonPath("$[1].subscribable.year").value(false));
        mvc.perform(get(API + "/subscription/").with(user("nora")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tier.slug").value("explorer"))
                .andExpect(jsonPath("$.allowanceRemaining").value(50_000));
    }

    @Test
    void shouldAnswer503ToWhatNeedsStripe() throws Exception {
        for (String path : List.of(
                "/subscription/checkout/",
                "/subscription/portal/",
                "/subscription/cancel/",
                "/subscription/resume/",
                "/tokens/checkout/")) {
            mvc.perform(post(API + path)
                            .with(user("nora"))
                            .with(csrf())
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"tier\": \"plus\", \"package\": \"booster-500k\"}"))
                    .andExpect(status().isServiceUnavailable())
                    .andExpect(jsonPath("$.code").value("payments_not_configured"));
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
