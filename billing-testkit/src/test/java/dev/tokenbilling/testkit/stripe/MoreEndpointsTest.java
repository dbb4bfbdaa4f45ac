package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.BalanceTransaction;
import com.stripe.model.Charge;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.model.StripeCollection;
import com.stripe.model.WebhookEndpoint;
import com.stripe.param.ChargeListParams;
import com.stripe.param.ChargeSearchParams;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentListParams;
import com.stripe.param.PaymentMethodAttachParams;
import com.stripe.param.PaymentMethodCreateParams;
import com.stripe.param.PaymentMethodListParams;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.WebhookEndpointUpdateParams;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MoreEndpointsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private PaymentIntent paid(String customer) throws Exception {
        PaymentIntentCreateParams.Builder b = PaymentIntentCreateParams.builder()
                .setAmount(1000L)
                .setCurrency("usd")
                .setPaymentMethod("pm_card_visa")
                .setConfirm(true)
                .putMetadata("order", "o-1");
        if (customer != null) {
            b.setCustomer(customer);
        }
        return client.v1().paymentIntents().create(b.build());
    }

    @Test
    void shouldListSearchAndExpandCharges() throws Exception {
        PaymentIntent pi = paid(null);
        paid(null);

        StripeCollection<Charge> byIntent = client.v1()
                .charges()
                .list(ChargeListParams.builder().setPaymentIntent(pi.getId()).build());
        StripeCollection<PaymentIntent> expanded = client.v1()
                .paymentIntents()
                .list(PaymentIntentListParams.builder()
                        .addExpand("data.latest_charge")
                        .build());

        assertThat(byIntent.getData()).extracting(Charge::getId).containsExactly(pi.getLatestCharge());
        assertThat(expanded.getData())
                .allSatisfy(p -> assertThat(p.getLatestChargeObject()).isNotNull());
        assertThat(client.v1()
                        .charges()
                        .search(ChargeSearchParams.builder()
                                .setQuery("metadata['order']:'o-1' AND amount>=1000")
                                .build())
                        .getData())
                .hasSize(2);
    }

    @Test
    void shouldRecordBalanceTransactionsWithStripesFee() throws Exception {
        Charge charge = client.v1().charges().retrieve(paid(null).getLatestCharge());

        BalanceTransaction txn = client.v1().balanceTransactions().retrieve(charge.getBalanceTransaction());

        assertThat(txn.getAmount()).isEqualTo(1000L);
        assertThat(txn.getFee()).isEqualTo(59L);
        assertThat(txn.getNet()).isEqualTo(941L);
        assertThat(txn.getSource()).isEqualTo(charge.getId());
    }

    @Test
    void shouldAttachAndListPaymentMethodsOfACustomer() throws Exception {
        Customer customer =
                client.v1().customers().create(CustomerCreateParams.builder().build());
        PaymentMethod pm = client.v1()
                .paymentMethods()
                .create(PaymentMethodCreateParams.builder()
                        .setType(PaymentMethodCreateParams.Type.CARD)
                        .setCard(PaymentMethodCreateParams.Token.builder()
                                .setToken("tok_mastercard")
                                .build())
                        .build());

        client.v1()
                .paymentMethods()
                .attach(
                        pm.getId(),
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer.getId())
                                .build());

        assertThat(client.v1()
                        .paymentMethods()
                        .list(PaymentMethodListParams.builder()
                                .setCustomer(customer.getId())
                                .build())
                        .getData())
                .extracting(PaymentMethod::getId)
                .containsExactly(pm.getId());
        assertThat(paid(customer.getId()).getCustomer()).isEqualTo(customer.getId());
    }

    @Test
    void shouldUpdateListAndDeleteWebhookEndpoints() throws Exception {
        WebhookEndpoint created = client.v1()
                .webhookEndpoints()
                .create(WebhookEndpointCreateParams.builder()
                        .setUrl("http://127.0.0.1:1/hook")
                        .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.CHARGE__REFUNDED)
                        .build());

        WebhookEndpoint disabled = client.v1()
                .webhookEndpoints()
                .update(
                        created.getId(),
                        WebhookEndpointUpdateParams.builder().setDisabled(true).build());

        assertThat(disabled.getStatus()).isEqualTo("disabled");
        assertThat(client.v1().webhookEndpoints().list().getData()).hasSize(1);
        assertThat(fake.webhookEndpoints())
                .singleElement()
                .satisfies(e -> assertThat(e.secret()).isEqualTo(created.getSecret()));
        client.v1().webhookEndpoints().delete(created.getId());
        assertThat(fake.webhookEndpoints()).isEmpty();
        assertThatThrownBy(() -> client.v1()
                        .webhookEndpoints()
                        .create(WebhookEndpointCreateParams.builder()
                                .setUrl("not a url")
                                .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.ALL)
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("url"));
    }

    @Test
    void shouldListEveryEndpointWithItsEventsAndStatusButNeverItsSecret() throws Exception {
        fake.registerWebhookEndpoint("http://127.0.0.1:1/from-code", "whsec_fromcode", "charge.refunded", "*");
        WebhookEndpoint created = client.v1()
                .webhookEndpoints()
                .create(WebhookEndpointCreateParams.builder()
                        .setUrl("http://127.0.0.1:1/from-api")
                        .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.PAYMENT_INTENT__SUCCEEDED)
                        .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.CHARGE__DISPUTE__CREATED)
                        .build());
        client.v1()
                .webhookEndpoints()
                .update(
                        created.getId(),
                        WebhookEndpointUpdateParams.builder().setDisabled(true).build());

        List<WebhookEndpoint> listed = client.v1().webhookEndpoints().list().getData();

        assertThat(listed)
                .extracting(WebhookEndpoint::getUrl)
                .containsExactly("http://127.0.0.1:1/from-api", "http://127.0.0.1:1/from-code");
        assertThat(listed.get(0).getEnabledEvents())
                .containsExactly("payment_intent.succeeded", "charge.dispute.created");
        assertThat(listed.get(0).getStatus()).isEqualTo("disabled");
        assertThat(listed.get(1).getEnabledEvents()).containsExactly("charge.refunded", "*");
        assertThat(listed.get(1).getStatus()).isEqualTo("enabled");
        assertThat(listed)
                .allSatisfy(endpoint -> assertThat(endpoint.getSecret()).isNull());
    }

    @Test
    void shouldForgetEverythingOnReset() throws Exception {
        paid(null);
        fake.registerWebhookEndpoint("http://127.0.0.1:1/x");
        fake.failNext("/v1/customers", 5, FaultKind.SERVER_ERROR);
        fake.setApiVersion("2020-08-27");

        fake.reset();

        assertThat(fake.objects("payment_intent")).isEmpty();
        assertThat(fake.events()).isEmpty();
        assertThat(fake.webhookEndpoints()).isEmpty();
        assertThat(fake.requests()).isEmpty();
        assertThat(fake.apiVersion()).isEqualTo(com.stripe.Stripe.API_VERSION);
        assertThat(client.v1().customers().list().getData()).isEmpty();
    }
}
