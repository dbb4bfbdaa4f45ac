package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.ProductCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code /_testkit} controls that the standalone server and web pages use. */
@ExtendWith(FakeStripeExtension.class)
class ControlApiTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(FakeStripe fake, String path, String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fake.apiBase() + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheThreeDSecurePageAndRedirectBackAfterIt(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(3000L)
                        .setCurrency("usd")
                        .build());
        pi = client.v1()
                .paymentIntents()
                .confirm(
                        pi.getId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_threeDSecure2Required")
                                .setReturnUrl("http://shop.test/done")
                                .build());
        String page = pi.getNextAction().getRedirectToUrl().getUrl();

        HttpResponse<String> html =
                http.send(HttpRequest.newBuilder(URI.create(page)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> done = post(
                fake,
                "/_testkit/3ds/" + pi.getId() + "/complete",
                "succeed=true&return_url=http%3A%2F%2Fshop.test%2Fdone");

        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("Complete authentication").contains(pi.getId());
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location").orElseThrow())
                .startsWith("http://shop.test/done?payment_intent=" + pi.getId())
                .contains("redirect_status=succeeded");
        assertThat(client.v1().paymentIntents().retrieve(pi.getId()).getStatus())
                .isEqualTo("succeeded");
    }

    @Test
    void shouldDeliverHeldWebhooksAndInjectFaultsOverHttp(FakeStripe fake) throws Exception {
        fake.reset();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            fake.registerWebhookEndpoint(receiver.url(), "whsec_ctl");
            post(fake, "/_testkit/webhooks/mode", "mode=hold");
            Clients.secret(fake)
                    .v1()
                    .products()
                    .create(ProductCreateParams.builder().setName("x").build());
            assertThat(receiver.all()).isEmpty();

            HttpResponse<String> delivered = post(fake, "/_testkit/webhooks/deliver_held", "");
            HttpResponse<String> fault =
                    post(fake, "/_testkit/fail_next", "path=/v1/products&count=1&kind=server_error");

            assertThat(delivered.statusCode()).isEqualTo(200);
            assertThat(delivered.body()).contains("product.created");
            assertThat(receiver.all()).hasSize(1);
            assertThat(fault.statusCode()).isEqualTo(200);
            assertThat(post(fake, "/_testkit/reset", "").statusCode()).isEqualTo(200);
            assertThat(fake.objects("product")).isEmpty();
        }
    }
}
