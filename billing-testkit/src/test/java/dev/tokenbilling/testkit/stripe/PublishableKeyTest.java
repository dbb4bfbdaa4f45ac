package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentRetrieveParams;
import com.stripe.param.PaymentMethodCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What Stripe.js does from a web page, with a publishable key and the client secret. */
class PublishableKeyTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension();

    private FakeStripe fake;
    private StripeClient server;
    private StripeClient browser;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.server = Clients.secret(fake);
        this.browser = Clients.withKey(fake, fake.publishableKey());
    }

    private PaymentIntent newIntent() throws Exception {
        return server.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(2000L)
                        .setCurrency("usd")
                        .build());
    }

    private PaymentMethod card(String number) throws Exception {
        return browser.v1()
                .paymentMethods()
                .create(PaymentMethodCreateParams.builder()
                        .setType(PaymentMethodCreateParams.Type.CARD)
                        .setCard(PaymentMethodCreateParams.CardDetails.builder()
                                .setNumber(number)
                                .setExpMonth(12L)
                                .setExpYear(2034L)
                                .setCvc("123")
                                .build())
                        .build());
    }

    @Test
    void shouldCreateAPaymentMethodAndConfirmWithTheClientSecret() throws Exception {
        PaymentIntent pi = newIntent();
        PaymentMethod pm = card(TestCards.MASTERCARD);

        PaymentIntent confirmed = browser.v1()
                .paymentIntents()
                .confirm(
                        pi.getId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(pm.getId())
                                .putExtraParam("client_secret", pi.getClientSecret())
                                .build());
        PaymentIntent polled = browser.v1()
                .paymentIntents()
                .retrieve(
                        pi.getId(),
                        PaymentIntentRetrieveParams.builder()
                                .setClientSecret(pi.getClientSecret())
                                .build());

        assertThat(pm.getCard().getBrand()).isEqualTo("mastercard");
        assertThat(pm.getCard().getLast4()).isEqualTo("4444");
        assertThat(confirmed.getStatus()).isEqualTo("succeeded");
        assertThat(polled.getStatus()).isEqualTo("succeeded");
    }

    @Test
    void shouldRefuseAWrongClientSecret() throws Exception {
        PaymentIntent pi = newIntent();

        assertThatThrownBy(() -> browser.v1()
                        .paymentIntents()
                        .confirm(
                                pi.getId(),
                                PaymentIntentConfirmParams.builder()
                                        .setPaymentMethod("pm_card_visa")
                                        .putExtraParam("client_secret", pi.getId() + "_secret_wrong")
                                        .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("client_secret"));
    }

    @Test
    void shouldRefuseBadCardDetailsAsCardErrors() {
        assertThatThrownBy(() -> card("4242424242424241")).isInstanceOfSatisfying(CardException.class, e -> {
            assertThat(e.getCode()).isEqualTo("incorrect_number");
            assertThat(e.getParam()).isEqualTo("card[number]");
        });
        assertThatThrownBy(() -> browser.v1()
                        .paymentMethods()
                        .create(PaymentMethodCreateParams.builder()
                                .setType(PaymentMethodCreateParams.Type.CARD)
                                .setCard(PaymentMethodCreateParams.CardDetails.builder()
                                        .setNumber(TestCards.VISA)
                                        .setExpMonth(13L)
                                        .setExpYear(2034L)
                                        .build())
                                .build()))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.getCode()).isEqualTo("invalid_expiry_month"));
    }

    @Test
    void shouldServeABrowserWithCorsAndAKeyInTheBody() throws Exception {
        PaymentIntent pi = newIntent();
        HttpClient http = HttpClient.newHttpClient();
        String origin = "http://localhost:8080";

        HttpResponse<Void> preflight = http.send(
                HttpRequest.newBuilder(URI.create(fake.apiBase() + "/v1/payment_intents/" + pi.getId() + "/confirm"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "content-type")
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        String body = "key=" + fake.publishableKey() + "&client_secret=" + pi.getClientSecret()
                + "&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242"
                + "&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=34"
                + "&payment_method_data[card][cvc]=123&payment_method_data[guid]=abc&expand[]=payment_method";
        HttpResponse<String> confirm = http.send(
                HttpRequest.newBuilder(URI.create(fake.apiBase() + "/v1/payment_intents/" + pi.getId() + "/confirm"))
                        .header("Origin", origin)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue(origin);
        assertThat(preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Methods")
                        .orElse(""))
                .contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValue("content-type");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
        JsonNode json = new ObjectMapper().readTree(confirm.body());
        assertThat(json.get("status").asText()).isEqualTo("succeeded");
        assertThat(json.at("/payment_method/card/last4").asText()).isEqualTo("4242");
    }
}
