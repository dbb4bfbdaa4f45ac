package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Invoice;
import com.stripe.model.LineItem;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import com.stripe.model.checkout.Session;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionListParams;
import com.stripe.param.checkout.SessionRetrieveParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CheckoutSessionsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private static final String SUCCESS = "https://shop.example/success?session_id={CHECKOUT_SESSION_ID}";

    private FakeStripe fake;
    private StripeClient client;
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private String price(long amount, boolean recurring) throws Exception {
        PriceCreateParams.Builder b = PriceCreateParams.builder()
                .setCurrency("usd")
                .setUnitAmount(amount)
                .setProductData(PriceCreateParams.ProductData.builder()
                        .setName("500k tokens")
                        .build());
        if (recurring) {
            b.setRecurring(PriceCreateParams.Recurring.builder()
                    .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                    .build());
        }
        return client.v1().prices().create(b.build()).getId();
    }

    private Session paymentSession() throws Exception {
        return client.v1()
                .checkout()
                .sessions()
                .create(SessionCreateParams.builder()
                        .setMode(SessionCreateParams.Mode.PAYMENT)
                        .addLineItem(SessionCreateParams.LineItem.builder()
                                .setPrice(price(1500, false))
                                .setQuantity(2L)
                                .build())
                        .setClientReferenceId("user-7")
                        .setCustomerEmail("buyer@example.com")
                        .setSuccessUrl(SUCCESS)
                        .setCancelUrl("https://shop.example/cancel")
                        .putMetadata("purchase_id", "42")
                        .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                                .putMetadata("purchase_id", "42")
                                .build())
                        .build());
    }

    private Session subscriptionSession() throws Exception {
        return client.v1()
                .checkout()
                .sessions()
                .create(SessionCreateParams.builder()
                        .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                        .addLineItem(SessionCreateParams.LineItem.builder()
                                .setPrice(price(900, true))
                                .setQuantity(1L)
                                .build())
                        .setCustomerEmail("subscriber@example.com")
                        .setSuccessUrl(SUCCESS)
                        .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                                .putMetadata("user_id", "u-9")
                                .build())
                        .build());
    }

    private HttpResponse<String> submit(String url, String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldCreateAnOpenSessionWithItsOwnPaymentPage() throws Exception {
        Session session = paymentSession();

        assertThat(session.getId()).startsWith("cs_test_");
        assertThat(session.getStatus()).isEqualTo("open");
        assertThat(session.getPaymentStatus()).isEqualTo("unpaid");
        assertThat(session.getAmountTotal()).isEqualTo(3000L);
        assertThat(session.getCurrency()).isEqualTo("usd");
        assertThat(session.getSuccessUrl()).isEqualTo(SUCCESS);
        assertThat(session.getPaymentIntent()).isNull();
        assertThat(session.getUrl()).isEqualTo(fake.apiBase() + "/checkout/pay/" + session.getId());
        List<LineItem> items = client.v1()
                .checkout()
                .sessions()
                .lineItems()
                .list(session.getId())
                .getData();
        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.getQuantity()).isEqualTo(2L);
            assertThat(i.getAmountTotal()).isEqualTo(3000L);
            assertThat(i.getDescription()).isEqualTo("500k tokens");
        });
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(session.getUrl())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=card-number", "id=pay", "30.00 USD");
    }

    @Test
    void shouldCompleteAPaymentSessionFromCode() throws Exception {
        Session session = paymentSession();

        ObjectNode completed = fake.completeCheckout(session.getId(), "pm_card_visa");

        assertThat(completed.get("status").asText()).isEqualTo("complete");
        Session paid = client.v1().checkout().sessions().retrieve(session.getId());
        assertThat(paid.getPaymentStatus()).isEqualTo("paid");
        assertThat(paid.getUrl()).isNull();
        assertThat(paid.getCustomer()).isNull();
        assertThat(paid.getCustomerDetails().getEmail()).isEqualTo("buyer@example.com");
        PaymentIntent pi = client.v1().paymentIntents().retrieve(paid.getPaymentIntent());
        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getAmount()).isEqualTo(3000L);
        assertThat(pi.getMetadata()).containsEntry("purchase_id", "42");
        assertThat(fake.events("checkout.session.completed")).singleElement().satisfies(e -> {
            assertThat(e.at("/data/object/client_reference_id").asText()).isEqualTo("user-7");
            assertThat(e.at("/data/object/metadata/purchase_id").asText()).isEqualTo("42");
            assertThat(e.at("/data/object/payment_intent").asText()).isEqualTo(pi.getId());
        });
        assertThat(fake.eventTypes()).contains("payment_intent.succeeded", "charge.succeeded");
        Session withItems = client.v1()
                .checkout()
                .sessions()
                .retrieve(
                        session.getId(),
                        SessionRetrieveParams.builder().addExpand("line_items").build());
        assertThat(withItems.getLineItems().getData())
                .singleElement()
                .satisfies(i -> assertThat(i.getPrice().getUnitAmount()).isEqualTo(1500L));
        assertThat(client.v1()
                        .checkout()
                        .sessions()
                        .list(SessionListParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build())
                        .getData())
                .extracting(Session::getId)
                .containsExactly(session.getId());
        assertThatThrownBy(() -> fake.completeCheckout(session.getId(), "pm_card_visa"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldPayOnTheHostedPageAndRedirectToTheSuccessUrl() throws Exception {
        Session session = paymentSession();

        HttpResponse<String> declined = submit(session.getUrl(), "card_number=4000000000000002");

        assertThat(declined.statusCode()).isEqualTo(200);
        assertThat(declined.body()).contains("id=error", "Your card was declined.");
        assertThat(client.v1().checkout().sessions().retrieve(session.getId()).getStatus())
                .isEqualTo("open");
        assertThat(fake.events("checkout.session.completed")).isEmpty();

        HttpResponse<String> paid = submit(session.getUrl(), "card_number=4242+4242+4242+4242");

        assertThat(paid.statusCode()).isEqualTo(303);
        assertThat(paid.headers().firstValue("Location"))
                .hasValue("https://shop.example/success?session_id=" + session.getId());
        Session completed = client.v1().checkout().sessions().retrieve(session.getId());
        assertThat(completed.getStatus()).isEqualTo("complete");
        PaymentIntent pi = client.v1().paymentIntents().retrieve(completed.getPaymentIntent());
        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(fake.events("payment_intent.payment_failed")).hasSize(1);
        assertThat(fake.events("checkout.session.completed")).hasSize(1);
    }

    @Test
    void shouldStartASubscriptionWithACustomerWhenASubscriptionSessionIsPaid() throws Exception {
        Session session = subscriptionSession();

        HttpResponse<String> paid = submit(session.getUrl(), "card_number=4242424242424242");

        assertThat(paid.statusCode()).isEqualTo(303);
        Session completed = client.v1().checkout().sessions().retrieve(session.getId());
        assertThat(completed.getStatus()).isEqualTo("complete");
        assertThat(completed.getPaymentStatus()).isEqualTo("paid");
        assertThat(completed.getCustomer()).startsWith("cus_");
        assertThat(client.v1().customers().retrieve(completed.getCustomer()).getEmail())
                .isEqualTo("subscriber@example.com");
        Subscription sub = client.v1().subscriptions().retrieve(completed.getSubscription());
        assertThat(sub.getStatus()).isEqualTo("active");
        assertThat(sub.getCustomer()).isEqualTo(completed.getCustomer());
        assertThat(sub.getMetadata()).containsEntry("user_id", "u-9");
        assertThat(sub.getDefaultPaymentMethod()).isNotNull();
        Invoice invoice = client.v1().invoices().retrieve(completed.getInvoice());
        assertThat(invoice.getStatus()).isEqualTo("paid");
        assertThat(invoice.getBillingReason()).isEqualTo("subscription_create");
        assertThat(fake.eventTypes())
                .contains(
                        "customer.created",
                        "customer.subscription.created",
                        "invoice.paid",
                        "invoice.payment_succeeded",
                        "checkout.session.completed");
    }

    @Test
    void shouldNotStartASubscriptionWhenTheCardIsDeclined() throws Exception {
        Session session = subscriptionSession();

        assertThatThrownBy(() -> fake.completeCheckout(session.getId(), TestCards.INSUFFICIENT_FUNDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("insufficient funds");

        assertThat(fake.objects("subscription")).isEmpty();
        ObjectNode completed = fake.completeCheckout(session.getId(), TestCards.VISA);
        assertThat(completed.get("subscription").asText()).startsWith("sub_");
    }

    @Test
    void shouldCompleteUnpaidAndSendAsyncPaymentEventsWhenThePaymentIsProcessing() throws Exception {
        fake.setAsyncCardPayments(true);
        Session first = paymentSession();
        Session second = paymentSession();

        fake.completeCheckout(first.getId(), "pm_card_visa");
        fake.completeCheckout(second.getId(), "pm_card_visa");

        Session unpaid = client.v1().checkout().sessions().retrieve(first.getId());
        assertThat(unpaid.getStatus()).isEqualTo("complete");
        assertThat(unpaid.getPaymentStatus()).isEqualTo("unpaid");
        assertThat(fake.events("checkout.session.completed")).hasSize(2);

        fake.completeProcessing(unpaid.getPaymentIntent(), true);
        fake.completeProcessing(
                client.v1().checkout().sessions().retrieve(second.getId()).getPaymentIntent(), false);

        assertThat(client.v1().checkout().sessions().retrieve(first.getId()).getPaymentStatus())
                .isEqualTo("paid");
        assertThat(client.v1().checkout().sessions().retrieve(second.getId()).getPaymentStatus())
                .isEqualTo("unpaid");
        assertThat(fake.events("checkout.session.async_payment_succeeded"))
                .singleElement()
                .satisfies(e -> assertThat(e.at("/data/object/id").asText()).isEqualTo(first.getId()));
        assertThat(fake.events("checkout.session.async_payment_failed"))
                .singleElement()
                .satisfies(e -> assertThat(e.at("/data/object/id").asText()).isEqualTo(second.getId()));
    }

    @Test
    void shouldExpireAnOpenSession() throws Exception {
        Session session = paymentSession();

        Session expired = client.v1().checkout().sessions().expire(session.getId());

        assertThat(expired.getStatus()).isEqualTo("expired");
        assertThat(expired.getUrl()).isNull();
        assertThat(fake.events("checkout.session.expired")).hasSize(1);
        assertThatThrownBy(() -> client.v1().checkout().sessions().expire(session.getId()))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> fake.completeCheckout(session.getId(), "pm_card_visa"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
