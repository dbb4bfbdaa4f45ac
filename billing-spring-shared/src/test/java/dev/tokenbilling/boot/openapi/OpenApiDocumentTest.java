package dev.tokenbilling.boot.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.boot.web.BillingApiController;
import dev.tokenbilling.boot.web.StripeWebhookController;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The REST API's OpenAPI document, as springdoc serves it in a host that has springdoc: it describes
 * every endpoint the starter really maps (path and method), and the checked-in
 * {@code billing-spring-starter/openapi.json}, which front-ends generate clients from, is that document.
 * The same file for every Boot generation's starter: the API does not change with Boot. After an API change,
 * regenerate the file with {@code -Dopenapi.write=true}.
 */
@SpringBootTest(classes = OpenApiDocumentTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class OpenApiDocumentTest {

    /** billing-spring-starter/openapi.json: the one document of every starter (the build passes its path). */
    static final Path CHECKED_IN = Path.of(System.getProperty("openapi.document", "openapi.json"));

    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Autowired
    MockMvc mvc;

    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(OpenApiDocumentTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> "whsec_openapi_test_secret");
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.reconciler.enabled", () -> "false");
        registry.add("billing.expiry.enabled", () -> "false");
    }

    @AfterAll
    static void stopStripe() {
        FAKE.close();
    }

    private JsonNode document() throws Exception {
        String body = mvc.perform(get("/v3/api-docs").with(user("alice")))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        JsonNode document = JSON.readTree(body);
        // The server URL is the test's own; clients set theirs.
        ((com.fasterxml.jackson.databind.node.ObjectNode) document).remove("servers");
        return document;
    }

    @Test
    void shouldDescribeEveryEndpointTheStarterMaps() throws Exception {
        JsonNode paths = document().path("paths");

        List<String> mapped = new ArrayList<>();
        mappings.getHandlerMethods().forEach((RequestMappingInfo info, HandlerMethod method) -> {
            Class<?> controller = method.getBeanType();
            if (controller != BillingApiController.class && controller != StripeWebhookController.class) {
                return;
            }
            for (String path : info.getPatternValues()) {
                info.getMethodsCondition()
                        .getMethods()
                        .forEach(http -> mapped.add(http.name().toLowerCase(Locale.ROOT) + " " + path));
            }
        });

        assertThat(mapped).hasSizeGreaterThanOrEqualTo(20);
        assertThat(mapped).allSatisfy(endpoint -> {
            String[] parts = endpoint.split(" ");
            assertThat(paths.path(parts[1]).has(parts[0]))
                    .as("the document describes %s", endpoint)
                    .isTrue();
        });
        JsonNode balance = paths.path("/api/v1/billing/tokens/balance/").path("get");
        assertThat(balance.path("responses")
                        .path("200")
                        .path("content")
                        .path("*/*")
                        .path("schema")
                        .path("$ref")
                        .asText())
                .endsWith("/BalanceView");
    }

    @Test
    void shouldMatchTheCheckedInDocument() throws Exception {
        String generated = JSON.writeValueAsString(document()) + "\n";
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(CHECKED_IN, generated);
        }
        assertThat(Files.readString(CHECKED_IN))
                .as("billing-spring-starter/openapi.json is the document springdoc generates; after an API change run"
                        + " ./mvnw -pl billing-spring-starter test -Dtest=OpenApiDocumentTest -Dopenapi.write=true")
                .isEqualTo(generated);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
