package dev.tokenbilling.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code billing.doctor.enabled=true} puts the doctor's checks in {@code /actuator/info}: here without
 * Stripe, so the database checks pass and the Stripe ones are skipped with their reason.
 */
@SpringBootTest(
        classes = BillingDoctorInfoTest.App.class,
        properties = {
            "billing.doctor.enabled=true",
            "management.endpoints.web.exposure.include=health,info",
            "billing.expiry.enabled=false"
        })
@AutoConfigureBootMockMvc
@DirtiesContext
class BillingDoctorInfoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("billing.schema", () -> TestDatabase.newSchema(BillingDoctorInfoTest.class));
    }

    @Test
    void shouldShowEveryCheckWithItsVerdictInTheInfoEndpoint() throws Exception {
        MockHttpServletResponse response =
                mvc.perform(get("/actuator/info").with(user("ops"))).andReturn().getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);

        assertThat(response.getStatus()).as(body).isEqualTo(200);
        JsonNode doctor = JSON.readTree(body).path("billingDoctor");
        assertThat(doctor.path("checks"))
                .extracting(check ->
                        check.get("name").asText() + " " + check.get("verdict").asText())
                .containsExactly(
                        "database ok",
                        "stripe.keys skipped",
                        "catalog.packages fail",
                        "webhook.endpoint skipped",
                        "webhook.secret fail",
                        "purchases.stuck ok",
                        "webhook.events ok",
                        "ledger.audit ok");
        assertThat(doctor.path("healthy").asBoolean()).isFalse();
        assertThat(doctor.path("checks").get(2).path("fix").asText()).startsWith("billing seed --with-stripe");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        DataSource dataSource() {
            return TestDatabase.dataSource();
        }
    }
}
