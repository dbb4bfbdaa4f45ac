package dev.tokenbilling.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code /actuator/env} and {@code /actuator/configprops} of an application that shows values
 * ({@code show-values=always}): the Stripe secret key and webhook secrets, under their
 * {@code billing.stripe.*} names and the {@code STRIPE_*} environment names, are masked; the
 * publishable key and the rest of the settings stay visible.
 */
@SpringBootTest(
        classes = SecretsSanitizingEndpointTest.App.class,
        properties = {
            "management.endpoints.web.exposure.include=env,configprops",
            "management.endpoint.env.show-values=always",
            "management.endpoint.configprops.show-values=always",
            "billing.reconciler.enabled=false",
            "billing.expiry.enabled=false"
        })
@AutoConfigureBootMockMvc
@DirtiesContext
class SecretsSanitizingEndpointTest {

    static final String SECRET_KEY = "sk_test_51SanitizeMeSecretKey0123456789";
    static final String ENV_SECRET_KEY = "sk_test_51FromTheEnvironmentVariable9876";
    static final String WEBHOOK_SECRET = "whsec_sanitizeMeWebhookSecret0123456789";
    static final String ROTATED_SECRET = "whsec_sanitizeMeRotatedSecret987654321";
    static final String LISTED_SECRET = "whsec_sanitizeMeListedSecret5555555555";
    static final String ENV_WEBHOOK_SECRET = "whsec_sanitizeMeFromTheEnvironment77777";
    static final String PUBLISHABLE_KEY = "pk_test_51VisiblePublishableKey0123456789";
    static final String PROXY_PASSWORD = "proxyPassw0rdSanitizeMe";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(SecretsSanitizingEndpointTest.class));
        registry.add("billing.stripe.secret-key", () -> SECRET_KEY);
        registry.add("billing.stripe.publishable-key", () -> PUBLISHABLE_KEY);
        registry.add("billing.stripe.webhook-secret", () -> WEBHOOK_SECRET + "," + ROTATED_SECRET);
        registry.add("billing.stripe.webhook-secrets[0]", () -> LISTED_SECRET);
        registry.add("billing.stripe.api-base", () -> "http://billing:" + PROXY_PASSWORD + "@127.0.0.1:12111");
        // What the environment variables look like to the env endpoint.
        registry.add("STRIPE_SECRET_KEY", () -> ENV_SECRET_KEY);
        registry.add("STRIPE_WEBHOOK_SECRET", () -> ENV_WEBHOOK_SECRET);
    }

    @Test
    void shouldMaskTheStripeSecretsInTheEnvEndpoint() throws Exception {
        String body = read("/actuator/env");

        assertNoSecret(body);
        JsonNode sources = JSON.readTree(body).get("propertySources");
        assertThat(valueOf(sources, "billing.stripe.secret-key")).isEqualTo("******");
        assertThat(valueOf(sources, "billing.stripe.webhook-secret")).isEqualTo("******");
        assertThat(valueOf(sources, "billing.stripe.webhook-secrets[0]")).isEqualTo("******");
        assertThat(valueOf(sources, "STRIPE_SECRET_KEY")).isEqualTo("******");
        assertThat(valueOf(sources, "STRIPE_WEBHOOK_SECRET")).isEqualTo("******");
        assertThat(valueOf(sources, "billing.stripe.publishable-key"))
                .as("public: Stripe.js gets it")
                .isEqualTo(PUBLISHABLE_KEY);
        assertThat(valueOf(sources, "billing.stripe.api-base")).isEqualTo("http://billing:******@127.0.0.1:12111");
        assertThat(valueOf(sources, "billing.reconciler.enabled"))
                .as("values are shown")
                .isEqualTo("false");

        for (String name :
                new String[] {"billing.stripe.secret-key", "billing.stripe.webhook-secret", "STRIPE_SECRET_KEY"}) {
            String one = read("/actuator/env/" + name);
            assertNoSecret(one);
            assertThat(JSON.readTree(one).path("property").path("value").asText())
                    .as(name)
                    .isEqualTo("******");
        }
    }

    @Test
    void shouldMaskTheStripeSecretsInTheConfigpropsEndpoint() throws Exception {
        String body = read("/actuator/configprops");

        assertNoSecret(body);
        JsonNode billing =
                JSON.readTree(body).findValue("billing-dev.tokenbilling.boot.autoconfigure.BillingProperties");
        assertThat(billing).as(body).isNotNull();
        JsonNode stripe = billing.path("properties").path("stripe");
        assertThat(stripe.path("secretKey").asText()).isEqualTo("******");
        assertThat(stripe.path("webhookSecret").asText()).isEqualTo("******");
        assertThat(stripe.path("webhookSecrets").toString())
                .doesNotContain("whsec_")
                .contains("******");
        assertThat(stripe.path("publishableKey").asText()).isEqualTo(PUBLISHABLE_KEY);
        assertThat(stripe.path("apiBase").asText()).isEqualTo("http://billing:******@127.0.0.1:12111");
        JsonNode inputs = billing.path("inputs").path("stripe");
        assertThat(inputs.path("secretKey").path("value").asText()).isEqualTo("******");
        assertThat(inputs.path("webhookSecret").path("value").asText()).isEqualTo("******");
    }

    @Test
    void shouldNotGiveTheApiBasePasswordToThePage() throws Exception {
        String body = read("/api/v1/billing/config/");

        assertThat(JSON.readTree(body).path("stripeApiBase").asText()).isEqualTo("http://127.0.0.1:12111");
        assertNoSecret(body);
    }

    private String read(String path) throws Exception {
        MockHttpServletResponse response =
                mvc.perform(get(path).with(user("ops"))).andReturn().getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(body).isEqualTo(200);
        return body;
    }

    private static void assertNoSecret(String body) {
        assertThat(body)
                .doesNotContain(
                        SECRET_KEY,
                        ENV_SECRET_KEY,
                        WEBHOOK_SECRET,
                        ROTATED_SECRET,
                        LISTED_SECRET,
                        ENV_WEBHOOK_SECRET,
                        PROXY_PASSWORD,
                        "sk_test_51",
                        "whsec_sanitize");
    }

    /** The value of a property in the first property source that has it. */
    private static String valueOf(JsonNode sources, String name) {
        for (JsonNode source : sources) {
            JsonNode property = source.path("properties").get(name);
            if (property != null) {
                return property.path("value").asText();
            }
        }
        throw new AssertionError(name + " is in no property source");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
