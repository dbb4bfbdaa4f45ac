package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentMethod;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerPaymentMethodListParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.PaymentMethodAttachParams;
import com.stripe.param.PaymentMethodCreateParams;
import com.stripe.param.PaymentMethodListParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SavedCardsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private String customer() throws Exception {
        return client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setEmail("ada@example.com")
                        .build())
                .getId();
    }

    private PaymentMethod attach(String paymentMethod, String customer) throws Exception {
        return client.v1()
                .paymentMethods()
                .attach(
                        paymentMethod,
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build());
    }

    @Test
    void shouldListACustomersSavedCardsWithTheirCardDetails() throws Exception {
        String customer = customer();
        String other = customer();
        String mastercard = client.v1()
                .paymentMethods()
                .create(PaymentMethodCreateParams.builder()
                        .setType(PaymentMethodCreateParams.Type.CARD)
                        .setCard(PaymentMethodCreateParams.CardDetails.builder()
                                .setNumber(TestCards.MASTERCARD)
                                .setExpMonth(8L)
                                .setExpYear(2040L)
                                .setCvc("123")
                                .build())
                        .build())
                .getId();
        attach(mastercard, customer);
        PaymentMethod visa = attach("pm_card_visa", customer);
        attach("pm_card_amex", other);

        var saved = client.v1()
                .customers()
                .paymentMethods()
                .list(
                        customer,
                        CustomerPaymentMethodListParams.builder()
                                .setType(CustomerPaymentMethodListParams.Type.CARD)
                                .build());
        var listed = client.v1()
                .paymentMethods()
                .list(PaymentMethodListParams.builder().setCustomer(customer).build());

        assertThat(saved.getData()).extracting(PaymentMethod::getId).containsExactly(visa.getId(), mastercard);
        assertThat(listed.getData()).extracting(PaymentMethod::getId).containsExactly(visa.getId(), mastercard);
        PaymentMethod.Card card = saved.getData().get(1).getCard();
        assertThat(card.getBrand()).isEqualTo("mastercard");
        assertThat(card.getLast4()).isEqualTo("4444");
        assertThat(card.getExpMonth()).isEqualTo(8L);
        assertThat(card.getExpYear()).isEqualTo(2040L);
        assertThat(visa.getId()).startsWith("pm_").isNotEqualTo("pm_card_visa");
        assertThat(visa.getCard().getLast4()).isEqualTo("4242");
        assertThat(client.v1()
                        .customers()
                        .paymentMethods()
                        .retrieve(customer, visa.getId())
                        .getCustomer())
                .isEqualTo(customer);
        assertThatThrownBy(() -> client.v1().customers().paymentMethods().retrieve(other, visa.getId()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
        assertThat(fake.events("payment_method.attached")).hasSize(3);
    }

    @Test
    void shouldDetachACardAndForgetItAsTheDefault() throws Exception {
        String customer = customer();
        PaymentMethod card = attach("pm_card_visa", customer);
        client.v1()
                .customers()
                .update(
                        customer,
                        CustomerUpdateParams.builder()
                                .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                                        .setDefaultPaymentMethod(card.getId())
                                        .build())
                                .build());

        PaymentMethod detached = client.v1().paymentMethods().detach(card.getId());

        assertThat(detached.getCustomer()).isNull();
        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();
        Customer after = client.v1().customers().retrieve(customer);
        assertThat(after.getInvoiceSettings().getDefaultPaymentMethod()).isNull();
        assertThat(fake.eventTypes()).endsWith("customer.updated", "payment_method.detached", "customer.updated");
        JsonNode event = fake.events("payment_method.detached").get(0);
        assertThat(event.at("/data/object/id").asText()).isEqualTo(card.getId());
        assertThatThrownBy(() -> client.v1().paymentMethods().detach(card.getId()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldRefuseADefaultThatIsNotTheCustomersCard() throws Exception {
        String customer = customer();
        PaymentMethod elsewhere = attach("pm_card_visa", customer());

        assertThatThrownBy(() -> client.v1()
                        .customers()
                        .update(
                                customer,
                                CustomerUpdateParams.builder()
                                        .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                                                .setDefaultPaymentMethod(elsewhere.getId())
                                                .build())
                                        .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("invoice_settings[default_payment_method]"));
        assertThatThrownBy(() -> attach(elsewhere.getId(), customer)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldAttachTheCardACustomerIsCreatedWithAndMakeItTheDefault() throws Exception {
        Customer customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setPaymentMethod("pm_card_mastercard")
                        .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                                .setDefaultPaymentMethod("pm_card_mastercard")
                                .build())
                        .build());

        String saved = customer.getInvoiceSettings().getDefaultPaymentMethod();
        assertThat(saved).startsWith("pm_").isNotEqualTo("pm_card_mastercard");
        PaymentMethod card = client.v1().paymentMethods().retrieve(saved);
        assertThat(card.getCustomer()).isEqualTo(customer.getId());
        assertThat(card.getCard().getLast4()).isEqualTo("4444");
        assertThat(fake.eventTypes()).containsExactly("customer.created", "payment_method.attached");
    }
}
