package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeObject;
import com.stripe.model.WebhookEndpoint;
import com.stripe.net.Webhook;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.WebhookEndpointCreateParams;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhooksTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeStripe fake;
    private StripeClient client;
    private WebhookReceiver receiver;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
        this.receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    private PaymentIntent pay(String paymentMethod) throws Exception {
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(2000L)
                        .setCurrency("usd")
                        .putMetadata("purchase_id", "9")
                        .build());
        return client.v1()
                .paymentIntents()
                .confirm(
                        pi.getId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(paymentMethod)
                                .build());
    }

    private void product(String name) throws Exception {
        client.v1()
                .products()
                .create(ProductCreateParams.builder().setName(name).build());
    }

    @Test
    void shouldDeliverSignedEventsToAnEndpointRegisteredThroughTheApi() throws Exception {
        WebhookEndpoint endpoint = client.v1()
                .webhookEndpoints()
                .create(WebhookEndpointCreateParams.builder()
                        .setUrl(receiver.url())
                        .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.PAYMENT_INTENT__SUCCEEDED)
                        .build());
        assertThat(endpoint.getSecret()).startsWith("whsec_");
        assertThat(client.v1().webhookEndpoints().retrieve(endpoint.getId()).getSecret())
                .isNull();

        PaymentIntent pi = pay("pm_card_visa");

        WebhookReceiver.Received received = receiver.next(WAIT);
        assertThat(received).isNotNull();
        Event event = Webhook.constructEvent(received.payload(), received.signature(), endpoint.getSecret());
        assertThat(event.getType()).isEqualTo("payment_intent.succeeded");
        assertThat(event.getApiVersion()).isEqualTo(Stripe.API_VERSION);
        Optional<StripeObject> object = event.getDataObjectDeserializer().getObject();
        assertThat(object).get().isInstanceOfSatisfying(PaymentIntent.class, p -> {
            assertThat(p.getId()).isEqualTo(pi.getId());
            assertThat(p.getMetadata()).containsEntry("purchase_id", "9");
        });
        assertThat(fake.awaitWebhooks()).isTrue();
        assertThat(receiver.all()).hasSize(1);
        assertThat(fake.deliveryLog()).singleElement().satisfies(d -> {
            assertThat(d.succeeded()).isTrue();
            assertThat(d.statusCode()).isEqualTo(200);
            assertThat(d.eventId()).isEqualTo(event.getId());
        });
    }

    @Test
    void shouldCarryAnotherApiVersionWhenSet() throws Exception {
        String secret = fake.registerWebhookEndpoint(receiver.url()).secret();
        fake.setWebhookMode(WebhookMode.SYNC);
        fake.setApiVersion("2020-08-27");

        product("Old version");

        Event event = Webhook.constructEvent(
                receiver.next(WAIT).payload(), fake.deliveryLog().get(0).signatureHeader(), secret);
        assertThat(event.getApiVersion()).isEqualTo("2020-08-27");
        // stripe-java will not bind an object of another API version; the raw JSON is still there.
        assertThat(event.getDataObjectDeserializer().getObject()).isEmpty();
        assertThat(event.getDataObjectDeserializer().getRawJson()).contains("Old version");
    }

    @Test
    void shouldDeliverBeforeTheCallReturnsInSyncMode() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_sync", "payment_intent.*");
        fake.setWebhookMode(WebhookMode.SYNC);

        pay("pm_card_visa");

        assertThat(receiver.all())
                .extracting(r -> Webhook.constructEvent(r.payload(), r.signature(), "whsec_sync")
                        .getType())
                .containsExactly("payment_intent.created", "payment_intent.succeeded");
    }

    @Test
    void shouldHoldDeliveriesAndSendThemInOrderReversedShuffledOrTwice() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_hold");
        fake.holdWebhooks();
        product("a");
        product("b");
        product("c");
        assertThat(receiver.all()).isEmpty();
        List<String> ids = fake.heldEvents();
        assertThat(ids).hasSize(3);

        List<WebhookDelivery> reversed = fake.deliverHeld(DeliveryOrder.REVERSED);
        assertThat(reversed).extracting(WebhookDelivery::eventId).containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(fake.heldEvents()).isEmpty();

        product("d");
        product("e");
        List<WebhookDelivery> twice = fake.deliverHeld(DeliveryOrder.AS_HAPPENED, 2);
        assertThat(twice).extracting(WebhookDelivery::attempt).containsExactly(1, 1, 2, 2);
        assertThat(twice.get(0).eventId()).isEqualTo(twice.get(2).eventId());

        product("f");
        product("g");
        product("h");
        List<String> held = fake.heldEvents();
        List<WebhookDelivery> shuffled = fake.deliverHeld(DeliveryOrder.SHUFFLED, 1, 42L);
        assertThat(shuffled).extracting(WebhookDelivery::eventId).containsExactlyInAnyOrderElementsOf(held);
        assertThat(receiver.all()).hasSize(3 + 4 + 3);
        assertThat(receiver.all()).allSatisfy(r -> Webhook.constructEvent(r.payload(), r.signature(), "whsec_hold"));
    }

    @Test
    void shouldFailTheNextDeliveriesAndRetryThem() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_retry");
        fake.holdWebhooks();
        product("a");
        product("b");
        product("c");
        fake.failNextDeliveries(1, DeliveryFailure.SERVER_ERROR);
        fake.failNextDeliveries(1, DeliveryFailure.UNREACHABLE);

        List<WebhookDelivery> first = fake.deliverHeld();

        assertThat(first).extracting(WebhookDelivery::succeeded).containsExactly(false, false, true);
        assertThat(first).extracting(WebhookDelivery::statusCode).containsExactly(500, 0, 200);
        assertThat(receiver.all()).hasSize(1);
        assertThat(client.v1()
                        .events()
                        .list(com.stripe.param.EventListParams.builder()
                                .setDeliverySuccess(false)
                                .build())
                        .getData())
                .hasSize(2);

        List<WebhookDelivery> retried = fake.retryFailedDeliveries();

        assertThat(retried).extracting(WebhookDelivery::succeeded).containsExactly(true, true);
        assertThat(retried).extracting(WebhookDelivery::attempt).containsExactly(2, 2);
        assertThat(receiver.all()).hasSize(3);
        assertThat(fake.retryFailedDeliveries()).isEmpty();
        assertThat(fake.deliveryLog()).hasSize(5);
        assertThat(client.v1()
                        .events()
                        .list(com.stripe.param.EventListParams.builder()
                                .setDeliverySuccess(false)
                                .build())
                        .getData())
                .isEmpty();
    }

    @Test
    void shouldCountAnEndpointErrorAndALostAnswerAsFailures() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_err");
        fake.setWebhookMode(WebhookMode.SYNC);
        receiver.answer(503);
        product("a");
        receiver.answer(200);
        fake.failNextDeliveries(1, DeliveryFailure.RESPONSE_LOST);
        product("b");

        assertThat(fake.deliveryLog()).extracting(WebhookDelivery::succeeded).containsExactly(false, false);
        assertThat(fake.deliveryLog()).extracting(WebhookDelivery::statusCode).containsExactly(503, 200);
        assertThat(receiver.all()).hasSize(2);

        fake.retryFailedDeliveries();
        assertThat(receiver.all()).hasSize(4);
    }

    @Test
    void shouldRedeliverAnEventAsADuplicate() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_dup");
        fake.setWebhookMode(WebhookMode.SYNC);
        product("a");
        String eventId = fake.events().get(0).get("id").asText();

        fake.redeliver(eventId);

        assertThat(receiver.all()).hasSize(2);
        assertThat(receiver.all().get(0).payload())
                .isEqualTo(receiver.all().get(1).payload());
    }

    @Test
    void shouldSendOnlyEnabledEvents() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_only", "charge.refunded", "product.created");
        fake.setWebhookMode(WebhookMode.SYNC);

        pay("pm_card_visa");
        product("p");

        assertThat(fake.deliveryLog()).extracting(WebhookDelivery::eventType).containsExactly("product.created");
    }
}
