package dev.tokenbilling.boot.web;

import static org.springframework.security.config.Customizer.withDefaults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
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
 * Malformed requests to every POST endpoint of the starter, over HTTP on a real server: bad JSON,
 * wrong types, missing fields, odd encodings and content types, huge bodies. Each is a 4xx
 * {@code application/problem+json}, never a 500; and no error body echoes more than a short prefix of
 * what the request sent.
 */
@SpringBootTest(
        classes = MalformedRequestServerTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class MalformedRequestServerTest {

    static final String WEBHOOK_SECRET = "whsec_malformed_test_secret";
    static final String API = "/api/v1/billing";
    static final String WEBHOOK = "/api/v1/billing/webhooks/stripe/";
    static final FakeStripe FAKE = FakeStripe.start();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String JSON_TYPE = "application/json";

    @LocalServerPort
    int port;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(MalformedRequestServerTest.class));
        registry.add("billing.stripe.secret-key", FAKE::secretKey);
        registry.add("billing.stripe.publishable-key", FAKE::publishableKey);
        registry.add("billing.stripe.webhook-secret", () -> WEBHOOK_SECRET);
        registry.add("billing.stripe.api-base", FAKE::apiBase);
        registry.add("billing.stripe.max-webhook-payload-size", () -> "64KB");
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

    @Test
    void shouldAnswerMalformedPurchaseRequestsWith4xxProblems() throws Exception {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        for (String body : List.of(
                "{not json",
                "",
                "null",
                "[]",
                "42",
                "true",
                "\"booster-500k\"",
                "{}",
                "{\"package_slug\": null}",
                "{\"package_slug\": \"\"}",
                "{\"package_slug\": \"   \"}",
                "{\"package_slug\": 42}",
                "{\"package_slug\": 1e999}",
                "{\"package_slug\": true}",
                "{\"package_slug\": {\"slug\": \"starter-100k\"}}",
                "{\"package_slug\": [\"starter-100k\"]}",
                "{\"package_slug\": \"starter-100k\"",
                "{\"package_slug\": \"a\\u0000b\"}",
                "{\"package_slug\": \"\\ud800\"}",
                "{\"package_slug\": \"star\\u0000ter-100k\"}",
                "{\"package_slug\": \"\\uFFFF\"}",
                "{\"package_slug\": \"starter-100k",
                "{\"package_slug\": \"" + "\\\"".repeat(1000) + "\"}",
                "[".repeat(5_000) + "]".repeat(5_000),
                "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000),
                "{\"package_slug\": \"" + "x".repeat(3_000_000) + "\"}",
                "{\"package_slug\": \"big\", \"pad\": \"" + "x".repeat(3_000_000) + "\"}")) {
            bodies.put(abbreviate(body), body.getBytes(StandardCharsets.UTF_8));
        }
        bodies.put("invalid UTF-8", new byte[] {
            '{',
            '"',
            'p',
            'a',
            'c',
            'k',
            'a',
            'g',
            'e',
            '_',
            's',
            'l',
            'u',
            'g',
            '"',
            ':',
            '"',
            (byte) 0xC3,
            (byte) 0x28,
            (byte) 0xFF,
            '"',
            '}'
        });
        bodies.put("UTF-16", "{\"package_slug\": \"nope\"}".getBytes(StandardCharsets.UTF_16));
        bodies.put("NUL bytes", new byte[64]);

        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            expectProblem(
                    softly,
                    "purchase " + body.getKey(),
                    post(API + "/tokens/purchase/", "alice", JSON_TYPE, body.getValue()));
        }
        byte[] valid = "{\"package_slug\": \"zzz-unknown\"}".getBytes(StandardCharsets.UTF_8);
        for (String type : List.of(
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/json; charset=klingon",
                "application/json; charset=",
                "application/json;;;",
                "*/*",
                "nonsense",
                "application/octet-stream")) {
            expectProblem(softly, "purchase as " + type, post(API + "/tokens/purchase/", "alice", type, valid));
        }
        expectProblem(softly, "purchase without a content type", post(API + "/tokens/purchase/", "alice", null, valid));
        softly.assertAll();
    }

    @Test
    void shouldAnswerMalformedCancelRequestsWith4xxProblems() throws Exception {
        SoftAssertions softly = new SoftAssertions();
        for (String id : List.of(
                "abc",
                "1.5",
                "-1",
                "0",
                "99999999999999999999999",
                "9223372036854775807",
                "1e3",
                "%20",
                "0x10",
                "x".repeat(4_000))) {
            expectProblem(
                    softly,
                    "cancel " + abbreviate(id),
                    post(
                            API + "/tokens/purchases/" + id + "/cancel/",
                            "alice",
                            JSON_TYPE,
                            "{\"reason\": [}".getBytes(StandardCharsets.UTF_8)));
        }
        expectProblem(
                softly,
                "cancel with a huge body",
                post(
                        API + "/tokens/purchases/1/cancel/",
                        "alice",
                        JSON_TYPE,
                        ("{\"pad\": \"" + "x".repeat(3_000_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        softly.assertAll();
    }

    @Test
    void shouldAnswerMalformedWebhookDeliveriesWith4xxProblems() throws Exception {
        SoftAssertions softly = new SoftAssertions();
        for (String body : List.of(
                "{not json",
                "[]",
                "null",
                "42",
                "\"evt\"",
                "{}",
                "{\"id\": 42}",
                "{\"id\": \"evt_1\"}",
                "{\"id\": \"evt_1\", \"object\": \"event\", \"type\": 42, \"data\": []}",
                "{\"id\": {\"x\": 1}, \"object\": \"event\", \"type\": \"payment_intent.succeeded\", \"data\": {\"object\": 5}}",
                "{\"id\": \"evt_nul\\u0000\", \"object\": \"event\", \"type\": \"payment_intent.succeeded\", \"data\": {}}",
                "[".repeat(5_000) + "]".repeat(5_000))) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            expectWebhookRejected(
                    softly,
                    "webhook " + abbreviate(body),
                    deliver(bytes, StripeWebhookSigner.header(body, WEBHOOK_SECRET)));
            expectWebhookRejected(softly, "unsigned webhook " + abbreviate(body), deliver(bytes, null));
        }
        byte[] event =
                "{\"id\":\"evt_x\",\"object\":\"event\",\"type\":\"customer.created\",\"data\":{\"object\":{\"id\":\"cus_1\"}}}"
                        .getBytes(StandardCharsets.UTF_8);
        for (String signature : List.of(
                "",
                "garbage",
                "t=,v1=",
                "t=abc,v1=zz",
                "t=1,v1=" + "0".repeat(64),
                "v1=",
                ",,,,",
                "t=" + "9".repeat(40) + ",v1=00",
                "t=1" + ",v1=a".repeat(500))) {
            expectWebhookRejected(softly, "webhook signed '" + abbreviate(signature) + "'", deliver(event, signature));
        }
        expectWebhookRejected(softly, "empty webhook", deliver(new byte[0], "t=1,v1=00"));
        expectWebhookRejected(
                softly,
                "huge webhook",
                deliver(
                        ("{\"pad\": \"" + "x".repeat(3_000_000) + "\"}").getBytes(StandardCharsets.UTF_8),
                        "t=1,v1=00"));
        expectWebhookRejected(
                softly, "invalid UTF-8 webhook", deliver(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, "t=1,v1=00"));
        softly.assertAll();
    }

    private static void expectProblem(SoftAssertions softly, String what, HttpResponse<String> response)
            throws Exception {
        softly.assertThat(response.statusCode())
                .as(what + ": " + abbreviate(response.body()))
                .isBetween(400, 499);
        softly.assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(what + " content type")
                .startsWith("application/problem+json");
        JsonNode problem = parse(response.body());
        softly.assertThat(problem.path("code").asText()).as(what + " code").isNotBlank();
        softly.assertThat(problem.path("title").asText()).as(what + " title").isNotBlank();
        softly.assertThat(response.body().length())
                .as(what + " echoes at most a short prefix of the request")
                .isLessThan(1_000);
    }

    private static void expectWebhookRejected(SoftAssertions softly, String what, HttpResponse<String> response)
            throws Exception {
        softly.assertThat(response.statusCode())
                .as(what + ": " + abbreviate(response.body()))
                .isBetween(400, 499);
        softly.assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(what + " content type")
                .startsWith("application/problem+json");
        softly.assertThat(parse(response.body()).path("code").asText())
                .as(what + " code")
                .isNotBlank();
        softly.assertThat(response.body().length())
                .as(what + " echoes at most a short prefix of the request")
                .isLessThan(1_000);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private HttpResponse<String> post(String path, String user, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (user != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> deliver(byte[] body, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + WEBHOOK))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null && !signature.isEmpty()) {
            request.header("Stripe-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "… (" + text.length() + " chars)";
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** A token-based API host: billing endpoints pass the filter chain and answer for themselves; no CSRF for /api. */
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
            return new InMemoryUserDetailsManager(User.withUsername("alice")
                    .password("{noop}alice")
                    .roles("USER")
                    .build());
        }
    }
}
