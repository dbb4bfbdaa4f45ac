package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeCollection;
import com.stripe.net.RequestOptions;
import com.stripe.param.EventListParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeStripeExtension.class)
class EventsTest {

    @Test
    void shouldListEventsWithTypeTypesAndCreatedFilters(FakeStripe fake) throws Exception {
        fake.reset();
        StripeClient client = Clients.secret(fake);
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(
                        PaymentIntentCreateParams.builder()
                                .setAmount(1000L)
                                .setCurrency("usd")
                                .build(),
                        RequestOptions.builder().setIdempotencyKey("create-1").build());
        client.v1()
                .paymentIntents()
                .confirm(
                        pi.getId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .build());
        long now = Instant.now().getEpochSecond();

        StripeCollection<Event> all =
                client.v1().events().list(EventListParams.builder().build());
        StripeCollection<Event> piEvents = client.v1()
                .events()
                .list(EventListParams.builder().setType("payment_intent.*").build());
        StripeCollection<Event> some = client.v1()
                .events()
                .list(EventListParams.builder()
                        .addType("charge.succeeded")
                        .addType("payment_intent.created")
                        .build());
        StripeCollection<Event> recent = client.v1()
                .events()
                .list(EventListParams.builder()
                        .setCreated(EventListParams.Created.builder()
                                .setGte(now - 60)
                                .setLte(now + 60)
                                .build())
                        .build());
        StripeCollection<Event> none = client.v1()
                .events()
                .list(EventListParams.builder()
                        .setCreated(EventListParams.Created.builder()
                                .setLt(now - 3600)
                                .build())
                        .build());

        assertThat(all.getData())
                .extracting(Event::getType)
                .containsExactly("payment_intent.succeeded", "charge.succeeded", "payment_intent.created");
        assertThat(piEvents.getData())
                .extracting(Event::getType)
                .containsExactly("payment_intent.succeeded", "payment_intent.created");
        assertThat(some.getData())
                .extracting(Event::getType)
                .containsExactly("charge.succeeded", "payment_intent.created");
        assertThat(recent.getData()).hasSize(3);
        assertThat(none.getData()).isEmpty();

        Event created = client.v1().events().retrieve(all.getData().get(2).getId());
        assertThat(created.getApiVersion()).isEqualTo(Stripe.API_VERSION);
        assertThat(created.getLivemode()).isFalse();
        assertThat(created.getRequest().getIdempotencyKey()).isEqualTo("create-1");
        assertThat(created.getRequest().getId()).startsWith("req_");
        assertThat(created.getDataObjectDeserializer().getObject())
                .get()
                .isInstanceOfSatisfying(
                        PaymentIntent.class, p -> assertThat(p.getStatus()).isEqualTo("requires_payment_method"));
    }

    @Test
    void shouldFilterByDeliverySuccess(FakeStripe fake) throws Exception {
        fake.reset();
        StripeClient client = Clients.secret(fake);
        fake.registerWebhookEndpoint("http://127.0.0.1:1/unreachable", "whsec_x");
        fake.holdWebhooks();
        client.v1()
                .customers()
                .create(com.stripe.param.CustomerCreateParams.builder().build());

        assertThat(client.v1()
                        .events()
                        .list(EventListParams.builder()
                                .setDeliverySuccess(false)
                                .build())
                        .getData())
                .hasSize(1);
        assertThat(client.v1()
                        .events()
                        .list(EventListParams.builder().setDeliverySuccess(true).build())
                        .getData())
                .isEmpty();
    }
}
