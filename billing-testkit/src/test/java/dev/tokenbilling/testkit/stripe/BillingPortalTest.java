package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.model.Subscription;
import com.stripe.model.billingportal.Session;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billingportal.SessionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BillingPortalTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    @Test
    void shouldCancelAtPeriodEndFromThePortalPage() throws Exception {
        String customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder().setEmail("p@example.com").build())
                .getId();
        String price = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setCurrency("usd")
                        .setUnitAmount(900L)
                        .setNickname("Pro monthly")
                        .setProductData(PriceCreateParams.ProductData.builder()
                                .setName("Pro")
                                .build())
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .build())
                        .build())
                .getId();
        Subscription sub = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(customer)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(price)
                                .build())
                        .setDefaultPaymentMethod("pm_card_visa")
                        .build());

        Session portal = client.v1()
                .billingPortal()
                .sessions()
                .create(SessionCreateParams.builder()
                        .setCustomer(customer)
                        .setReturnUrl("https://shop.example/account")
                        .build());

        assertThat(portal.getObject()).isEqualTo("billing_portal.session");
        assertThat(portal.getId()).startsWith("bps_");
        assertThat(portal.getUrl()).isEqualTo(fake.apiBase() + "/billing_portal/session/" + portal.getId());
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(portal.getUrl())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body())
                .contains("Pro monthly", "id=\"cancel-" + sub.getId() + "\"", "https://shop.example/account");

        HttpResponse<String> canceled = http.send(
                HttpRequest.newBuilder(URI.create(portal.getUrl() + "/subscriptions/" + sub.getId() + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(canceled.statusCode()).isEqualTo(303);
        Subscription ending = client.v1().subscriptions().retrieve(sub.getId());
        assertThat(ending.getCancelAtPeriodEnd()).isTrue();
        assertThat(ending.getStatus()).isEqualTo("active");
        assertThat(fake.events("customer.subscription.updated"))
                .singleElement()
                .satisfies(e -> assertThat(e.at("/data/previous_attributes/cancel_at_period_end")
                                .asBoolean())
                        .isFalse());
        String after = http.send(
                        HttpRequest.newBuilder(URI.create(portal.getUrl())).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(after).contains("id=\"renew-" + sub.getId() + "\"");
    }
}
