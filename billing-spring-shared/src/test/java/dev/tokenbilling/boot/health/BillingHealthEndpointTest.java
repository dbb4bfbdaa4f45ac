package dev.tokenbilling.boot.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.AbstractDataSource;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The {@code billing} component of {@code /actuator/health} with every detail shown, against the
 * real PostgreSQL of the tests: reachable, then refusing a user that does not exist, then a port
 * nobody listens on. When DOWN it says "database unreachable", never the driver's message with its
 * host, port and user names; the log has that message.
 */
@SpringBootTest(
        classes = BillingHealthEndpointTest.App.class,
        properties = {
            "management.endpoint.health.show-details=always",
            // Spring Boot's own `db` contributor is the application's to configure; this test is about `billing`.
            "management.health.db.enabled=false",
            "billing.expiry.enabled=false"
        })
@AutoConfigureBootMockMvc
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class BillingHealthEndpointTest {

    static final String SECRET_ROLE = "billing_ops_admin_7f3a";
    static final SwitchableDataSource DATABASE = new SwitchableDataSource();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("billing.schema", () -> TestDatabase.newSchema(BillingHealthEndpointTest.class));
    }

    @AfterEach
    void reconnect() {
        DATABASE.use(TestDatabase.dataSource());
    }

    @Test
    void shouldReportUpWithCountsWhileTheDatabaseAnswers() throws Exception {
        JsonNode billing = billingHealth(200);

        assertThat(billing.get("status").asText()).isEqualTo("UP");
        assertThat(billing.path("details").path("database").asText()).isEqualTo("reachable");
        assertThat(billing.path("details").path("stuckPurchases").asLong()).isZero();
    }

    @Test
    void shouldNotShowTheDriversMessageWhenTheDatabaseRefusesTheUser(CapturedOutput log) throws Exception {
        PGSimpleDataSource wrongUser = new PGSimpleDataSource();
        wrongUser.setURL(TestDatabase.jdbcUrl());
        wrongUser.setUser(SECRET_ROLE);
        wrongUser.setPassword("not-the-password");
        DATABASE.use(wrongUser);

        String body = health();
        JsonNode billing = JSON.readTree(body).path("components").path("billing");

        assertThat(billing.get("status").asText()).isEqualTo("DOWN");
        assertThat(billing.path("details").path("database").asText()).isEqualTo("unreachable");
        assertThat(billing.path("details").path("error").asText()).isEqualTo("database unreachable");
        assertThat(body)
                .doesNotContain(
                        SECRET_ROLE, "FATAL", "role", "password", "localhost", "127.0.0.1", "postgres", "Exception");
        assertThat(log.getOut()).as("the operator's detail").contains(SECRET_ROLE);
    }

    @Test
    void shouldNotShowTheHostWhenNothingListens(CapturedOutput log) throws Exception {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/billing_prod_db?connectTimeout=2");
        nowhere.setUser(SECRET_ROLE);
        DATABASE.use(nowhere);

        String body = health();
        JsonNode billing = JSON.readTree(body).path("components").path("billing");

        assertThat(billing.get("status").asText()).isEqualTo("DOWN");
        assertThat(billing.path("details").path("error").asText()).isEqualTo("database unreachable");
        assertThat(body).doesNotContain("127.0.0.1", "billing_prod_db", SECRET_ROLE, "refused", "Connection");
        assertThat(log.getOut()).as("the operator's detail").contains("127.0.0.1:1");
    }

    private JsonNode billingHealth(int status) throws Exception {
        MockHttpServletResponse response = mvc.perform(get("/actuator/health").with(user("ops")))
                .andReturn()
                .getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(body).isEqualTo(status);
        return JSON.readTree(body).path("components").path("billing");
    }

    private String health() throws Exception {
        MockHttpServletResponse response = mvc.perform(get("/actuator/health").with(user("ops")))
                .andReturn()
                .getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(body).isEqualTo(503);
        return body;
    }

    /** The application's DataSource, pointed by the test at the real database or at a broken one. */
    static final class SwitchableDataSource extends AbstractDataSource {

        private final AtomicReference<DataSource> target = new AtomicReference<>();

        void use(DataSource dataSource) {
            target.set(dataSource);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return target.get().getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return target.get().getConnection(username, password);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        DataSource dataSource() {
            DATABASE.use(TestDatabase.dataSource());
            return DATABASE;
        }
    }
}
