package dev.tokenbilling.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Starts the example on a free port with a temporary database and an embedded FakeStripe, and buys
 * packs over HTTP the way the billing page does: the REST API, then Stripe.js's calls with the
 * publishable key and the client secret, then the webhook that credits the tokens.
 */
class PlainJavaShopTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static PlainJavaShop shop;
    private static FakeStripe stripe;

    @BeforeAll
    static void startShop() {
        shop = PlainJavaShop.start(0, Map.of(), true);
        stripe = shop.fakeStripe().orElseThrow();
    }

    @AfterAll
    static void stopShop() {
        if (shop != null) {
            shop.close();
        }
    }

    @Test
    void shouldListTheLibrarysThreeDefaultPacks() throws Exception {
        JsonNode packages = json(send(get("/packages/"), 200));

        assertThat(packages).hasSize(3);
        assertThat(packages)
                .extracting(p -> p.get("slug").asText())
                .containsExactlyElementsOf(
                        DefaultCatalog.packages().stream().map(p -> p.slug()).toList());
        assertThat(packages.get(1).get("slug").asText()).isEqualTo("booster-500k");
        assertThat(packages.get(1).get("price").asText()).isEqualTo("20.00");
        assertThat(packages.get(1).get("tokenAmount").asLong()).isEqualTo(500_000);
        assertThat(packages.get(1).get("stripePriceId").asText()).startsWith("price_");
    }

    @Test
    void shouldCreditTokensWhenABoosterPackIsPaid() throws Exception {
        JsonNode started = json(send(post("/tokens/purchase/", "alice", "{\"package_slug\": \"booster-500k\"}"), 200));
        assertThat(started.get("token_amount").asLong()).isEqualTo(500_000);
        assertThat(started.get("amount").decimalValue()).isEqualByComparingTo("20.00");

        // What Stripe.js does in the browser: a PaymentMethod from the card, then confirm with the client secret.
        JsonNode method = json(send(
                stripe(
                        "/v1/payment_methods",
                        Map.of(
                                "type",
                                "card",
                                "card[number]",
                                "4242424242424242",
                                "card[exp_month]",
                                "12",
                                "card[exp_year]",
                                "2034",
                                "card[cvc]",
                                "123")),
                200));
        JsonNode intent = json(send(
                stripe(
                        "/v1/payment_intents/"
                                + started.get("payment_intent_id").asText() + "/confirm",
                        Map.of(
                                "payment_method",
                                method.get("id").asText(),
                                "client_secret",
                                started.get("client_secret").asText())),
                200));
        assertThat(intent.get("status").asText()).isEqualTo("succeeded");

        // The webhook lands a moment later: poll as the page does.
        JsonNode balance =
                await("/tokens/balance/", "alice", b -> b.get("balance").asLong() == 500_000);
        assertThat(balance.get("totalPurchased").asLong()).isEqualTo(500_000);
        JsonNode purchase =
                json(send(get("/tokens/purchases/" + started.get("purchase_id").asLong() + "/", "alice"), 200));
        assertThat(purchase.get("status").asText()).isEqualTo("completed");
        assertThat(json(send(get("/tokens/transactions/", "alice"), 200))
                        .get(0)
                        .get("amount")
                        .asLong())
                .isEqualTo(500_000);
    }

    @Test
    void shouldLeaveTheBalanceAloneWhenTheCardIsDeclined() throws Exception {
        JsonNode started = json(send(post("/tokens/purchase/", "bob", "{\"packageSlug\": \"starter-100k\"}"), 200));

        HttpResponse<String> declined = send(
                stripe(
                        "/v1/payment_intents/"
                                + started.get("payment_intent_id").asText() + "/confirm",
                        Map.of(
                                "payment_method",
                                "pm_card_chargeDeclined",
                                "client_secret",
                                started.get("client_secret").asText())),
                402);
        assertThat(json(declined).at("/error/code").asText()).isEqualTo("card_declined");

        JsonNode purchase = await(
                "/tokens/purchases/" + started.get("purchase_id").asLong() + "/",
                "bob",
                p -> p.get("status").asText().equals("failed"));
        assertThat(purchase.get("failureMessage").asText()).isNotBlank();
        assertThat(json(send(get("/tokens/balance/", "bob"), 200))
                        .get("balance")
                        .asLong())
                .isZero();
    }

    @Test
    void shouldKeepEachUsersPurchasesToThemselves() throws Exception {
        JsonNode started = json(send(post("/tokens/purchase/", "alice", "{\"package_slug\": \"power-1m\"}"), 200));

        HttpResponse<String> foreign =
                send(get("/tokens/purchases/" + started.get("purchase_id").asLong() + "/", "bob"), 404);
        assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(foreign).get("title").asText()).isEqualTo("Failed to load purchase");
        assertThat(json(foreign).get("code").asText()).isEqualTo("unknown_purchase");
        send(get("/tokens/balance/"), 401);
    }

    @Test
    void shouldAnswerAProblemWithTheApisMessageForAnUnknownPackage() throws Exception {
        JsonNode problem = json(send(post("/tokens/purchase/", "alice", "{\"package_slug\": \"mega-10m\"}"), 404));

        assertThat(problem.get("title").asText()).isEqualTo("Failed to initiate purchase");
        assertThat(problem.get("code").asText()).isEqualTo("unknown_package");
        assertThat(problem.get("detail").asText()).contains("mega-10m");
    }

    @ParameterizedTest
    @EnumSource(BillingError.class)
    void shouldAnswerEveryLibraryErrorWithAStatusAndACodeAndNoServerDetailIn5xx(BillingError code) {
        PlainJavaShop.Problem problem =
                PlainJavaShop.problemOf(new BillingException(code, "connection to db.internal:5432 refused"));

        assertThat(problem.status()).isBetween(400, 599);
        assertThat(problem.code()).matches("[a-z_]+");
        if (problem.status() >= 500) {
            assertThat(problem.detail()).doesNotContain("db.internal");
        }
    }

    @Test
    void shouldAnswerEachKindOfLibraryErrorWithItsStatus() {
        assertThat(PlainJavaShop.problemOf(new BillingException(BillingError.INVALID_REQUEST, "limit: too large")))
                .isEqualTo(new PlainJavaShop.Problem(400, "invalid_request", "limit: too large"));
        assertThat(PlainJavaShop.problemOf(new BillingException(BillingError.PACKAGE_INACTIVE, "not on sale"))
                        .status())
                .isEqualTo(409);
        assertThat(PlainJavaShop.problemOf(new BillingException(BillingError.TOO_MANY_OPEN_PURCHASES, "10 open")))
                .isEqualTo(new PlainJavaShop.Problem(
                        429,
                        "too_many_open_purchases",
                        "Too many purchases are still open; finish or cancel one first"));
        assertThat(PlainJavaShop.problemOf(new BillingException(BillingError.STORE_UNAVAILABLE, "down"))
                        .code())
                .isEqualTo("database_unavailable");
        assertThat(PlainJavaShop.problemOf(new IllegalStateException("bug")).status())
                .isEqualTo(500);
    }

    @Test
    void shouldTellAStripeRefusalFromAnOutage() {
        assertThat(PlainJavaShop.problemOf(new PaymentProviderException(
                        PaymentProviderException.Reason.UNREACHABLE, "Read timed out", null, true, null)))
                .isEqualTo(new PlainJavaShop.Problem(
                        503, "payment_provider_unavailable", PlainJavaShop.PAYMENTS_UNAVAILABLE));
        assertThat(PlainJavaShop.problemOf(new PaymentProviderException(
                        PaymentProviderException.Reason.AUTHENTICATION, "Invalid API Key provided", null, false, null)))
                .isEqualTo(new PlainJavaShop.Problem(502, "payment_provider_error", PlainJavaShop.PAYMENT_NOT_STARTED));
    }

    @Test
    void shouldRefuseAWebhookWithoutAValidSignature() throws Exception {
        HttpRequest forged = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + shop.port() + PlainJavaShop.WEBHOOK_PATH))
                .header("Stripe-Signature", "t=1,v1=00")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"evt_1\"}"))
                .build();

        send(forged, 400);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(api(path)).GET().build();
    }

    private static HttpRequest get(String path, String user) {
        return HttpRequest.newBuilder(api(path))
                .header("Authorization", basic(user))
                .GET()
                .build();
    }

    private static HttpRequest post(String path, String user, String json) {
        return HttpRequest.newBuilder(api(path))
                .header("Authorization", basic(user))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    /** A call to FakeStripe as Stripe.js makes it: form-encoded, with the publishable key as {@code key}. */
    private static HttpRequest stripe(String path, Map<String, String> params) {
        String form = params.entrySet().stream()
                        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                        .collect(Collectors.joining("&"))
                + "&key=" + FakeStripe.PUBLISHABLE_KEY;
        return HttpRequest.newBuilder(URI.create(stripe.apiBase() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
    }

    private static JsonNode await(String path, String user, Predicate<JsonNode> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(15);
        JsonNode last;
        do {
            last = json(send(get(path, user), 200));
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("still " + last + " after 15 s at " + path);
    }

    private static HttpResponse<String> send(HttpRequest request, int expectedStatus)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("%s %s: %s", request.method(), request.uri(), response.body())
                .isEqualTo(expectedStatus);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static URI api(String path) {
        return URI.create("http://127.0.0.1:" + shop.port() + PlainJavaShop.API + path);
    }

    private static String basic(String user) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((user + ":" + PlainJavaShop.USERS.get(user)).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
