package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.RateLimitException;
import com.stripe.model.PaymentIntent;
import com.stripe.net.ApiResource;
import com.stripe.net.RequestOptions;
import com.stripe.net.StripeResponse;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.ProductCreateParams;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ErrorsAndFaultsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private static PaymentIntentCreateParams params(long amount) {
        return PaymentIntentCreateParams.builder()
                .setAmount(amount)
                .setCurrency("usd")
                .putMetadata("purchase_id", "p-1")
                .build();
    }

    private static RequestOptions key(String idempotencyKey) {
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    }

    @Test
    void shouldReplayTheSameAnswerForTheSameKeyAndParameters() throws Exception {
        PaymentIntent first = client.v1().paymentIntents().create(params(2000), key("purchase-1"));
        PaymentIntent again = client.v1().paymentIntents().create(params(2000), key("purchase-1"));

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getLastResponse().headers().firstValue("Idempotent-Replayed"))
                .hasValue("true");
        assertThat(fake.objects("payment_intent")).hasSize(1);
        assertThat(fake.events("payment_intent.created")).hasSize(1);
    }

    @Test
    void shouldRefuseTheSameKeyWithOtherParameters() throws Exception {
        client.v1().paymentIntents().create(params(2000), key("purchase-2"));

        assertThatThrownBy(() -> client.v1().paymentIntents().create(params(2500), key("purchase-2")))
                .isInstanceOfSatisfying(IdempotencyException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("purchase-2");
                });
    }

    @Test
    void shouldReplayACardDeclineForTheSameKey() throws Exception {
        PaymentIntent pi = client.v1().paymentIntents().create(params(2000));
        com.stripe.param.PaymentIntentConfirmParams declined = com.stripe.param.PaymentIntentConfirmParams.builder()
                .setPaymentMethod("pm_card_chargeDeclined")
                .build();
        assertThatThrownBy(() -> client.v1().paymentIntents().confirm(pi.getId(), declined, key("c-1")))
                .isInstanceOf(com.stripe.exception.CardException.class);
        assertThatThrownBy(() -> client.v1().paymentIntents().confirm(pi.getId(), declined, key("c-1")))
                .isInstanceOf(com.stripe.exception.CardException.class);

        assertThat(fake.objects("charge")).hasSize(1);
    }

    @Test
    void shouldAnswer401ForAMissingOrWrongKey() {
        StripeClient wrong = Clients.withKey(fake, "sk_live_not_here");
        StripeClient garbage = Clients.withKey(fake, "nonsense");

        assertThatThrownBy(() -> wrong.v1().paymentIntents().create(params(2000)))
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(401));
        assertThatThrownBy(() -> garbage.v1().products().list())
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.getMessage()).contains("Invalid API Key"));
    }

    @Test
    void shouldAcceptOnlyTheConfiguredKeysWhenGiven() throws Exception {
        try (FakeStripe strict =
                FakeStripe.builder().apiKeys("sk_test_strict", "pk_test_strict").start()) {
            assertThat(Clients.withKey(strict, "sk_test_strict")
                            .v1()
                            .products()
                            .list()
                            .getData())
                    .isEmpty();
            assertThatThrownBy(() -> Clients.withKey(strict, "sk_test_other")
                            .v1()
                            .products()
                            .list())
                    .isInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void shouldRefuseAPublishableKeyOnSecretEndpoints() {
        StripeClient publishable = Clients.withKey(fake, fake.publishableKey());

        assertThatThrownBy(() -> publishable.v1().paymentIntents().create(params(2000)))
                .isInstanceOfSatisfying(
                        AuthenticationException.class,
                        e -> assertThat(e.getMessage()).contains("publishable API key"));
    }

    @Test
    void shouldAnswer404JsonForAnUnknownPath() throws Exception {
        assertThatThrownBy(() -> client.rawRequest(ApiResource.RequestMethod.GET, "/v1/nothing_here", null))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("Unrecognized request URL (GET: /v1/nothing_here)");
                });
    }

    @Test
    void shouldAnswer400NamingAMalformedOrUnknownParameter() {
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setCurrency("usd")
                                .putExtraParam("amount", "twenty")
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getParam()).isEqualTo("amount");
                    assertThat(e.getCode()).isEqualTo("parameter_invalid_integer");
                });
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setAmount(1000L)
                                .setCurrency("usd")
                                .putExtraParam("colour", "red")
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getParam()).isEqualTo("colour");
                    assertThat(e.getCode()).isEqualTo("parameter_unknown");
                });
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setCurrency("usd")
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getParam()).isEqualTo("amount");
                    assertThat(e.getCode()).isEqualTo("parameter_missing");
                });
    }

    @Test
    void shouldNeverCrashOnGarbage() throws Exception {
        StripeResponse ok = client.rawRequest(ApiResource.RequestMethod.GET, "/v1/products?limit=3", null);
        assertThat(ok.code()).isEqualTo(200);
        assertThatThrownBy(() -> client.rawRequest(ApiResource.RequestMethod.GET, "/v1/products?limit=1000", null))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("limit"));
        assertThatThrownBy(() -> client.rawRequest(ApiResource.RequestMethod.POST, "/v1/products", "name[=x&%zz=1"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldAnswer500ThenRecover() throws Exception {
        fake.failNext("/v1/payment_intents", 2, FaultKind.SERVER_ERROR);

        assertThatThrownBy(() -> client.v1().paymentIntents().create(params(2000)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getStatusCode()).isEqualTo(500));
        assertThatThrownBy(() -> client.v1().paymentIntents().create(params(2000)))
                .isInstanceOf(ApiException.class);
        assertThat(client.v1().paymentIntents().create(params(2000)).getId()).startsWith("pi_");
        assertThat(client.v1()
                        .products()
                        .create(ProductCreateParams.builder().setName("x").build()))
                .isNotNull();
    }

    @Test
    void shouldLetARetryingClientGetThroughA500() throws Exception {
        fake.failNext("/v1/payment_intents", 1, FaultKind.SERVER_ERROR);
        StripeClient retrying = com.stripe.StripeClient.builder()
                .setApiKey(fake.secretKey())
                .setApiBase(fake.apiBase())
                .setMaxNetworkRetries(2)
                .build();

        PaymentIntent pi = retrying.v1().paymentIntents().create(params(2000));

        assertThat(pi.getId()).startsWith("pi_");
        assertThat(fake.requests()).extracting(r -> r.status()).containsExactly(500, 200);
        assertThat(fake.requests().get(1).idempotencyKey())
                .isNotNull()
                .isEqualTo(fake.requests().get(0).idempotencyKey());
    }

    @Test
    void shouldAnswer429AsRateLimit() {
        fake.failNext("/v1/products", 1, FaultKind.RATE_LIMIT);

        assertThatThrownBy(() -> client.v1().products().list())
                .isInstanceOfSatisfying(
                        RateLimitException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(429));
    }

    @Test
    void shouldLetTheClientTimeOutButKeepTheResultForItsIdempotencyKey() throws Exception {
        fake.setTimeoutDelay(Duration.ofMillis(1500));
        fake.failNext("/v1/payment_intents", 1, FaultKind.TIMEOUT);
        StripeClient impatient = Clients.withReadTimeout(fake, 300);

        assertThatThrownBy(() -> impatient.v1().paymentIntents().create(params(2000), key("slow-1")))
                .isInstanceOf(ApiConnectionException.class);
        PaymentIntent retried = client.v1().paymentIntents().create(params(2000), key("slow-1"));

        assertThat(fake.objects("payment_intent"))
                .singleElement()
                .satisfies(pi -> assertThat(pi.get("id").asText()).isEqualTo(retried.getId()));
    }

    @Test
    void shouldAnswerWithARequestIdHeader() throws Exception {
        StripeResponse response = client.rawRequest(ApiResource.RequestMethod.GET, "/v1/customers", null);

        assertThat(response.requestId()).startsWith("req_");
        assertThat(fake.requests()).last().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo(response.requestId());
            assertThat(r.path()).isEqualTo("/v1/customers");
            assertThat(r.status()).isEqualTo(200);
        });
    }
}
