package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.PaymentIntentCreateParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeStripeExtension.class)
class CustomersTest {

    @Test
    void shouldCreateRetrieveUpdateAndListCustomers(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);

        Customer created = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setEmail("ada@example.com")
                        .setName("Ada")
                        .putMetadata("user_id", "u-7")
                        .build());
        Customer updated = client.v1()
                .customers()
                .update(
                        created.getId(),
                        CustomerUpdateParams.builder().setName("Ada Lovelace").build());
        Customer retrieved = client.v1().customers().retrieve(created.getId());

        assertThat(created.getId()).startsWith("cus_");
        assertThat(updated.getName()).isEqualTo("Ada Lovelace");
        assertThat(retrieved.getEmail()).isEqualTo("ada@example.com");
        assertThat(retrieved.getMetadata()).containsEntry("user_id", "u-7");
        assertThat(client.v1()
                        .customers()
                        .list(CustomerListParams.builder()
                                .setEmail("ada@example.com")
                                .build())
                        .getData())
                .extracting(Customer::getId)
                .contains(created.getId());
        assertThat(fake.eventTypes()).contains("customer.created", "customer.updated");
    }

    @Test
    void shouldTieAPaymentIntentToACustomer(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        Customer customer =
                client.v1().customers().create(CustomerCreateParams.builder().build());

        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(1000L)
                        .setCurrency("usd")
                        .setCustomer(customer.getId())
                        .build());

        assertThat(pi.getCustomer()).isEqualTo(customer.getId());
    }

    @Test
    void shouldDeleteACustomer(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        Customer customer =
                client.v1().customers().create(CustomerCreateParams.builder().build());

        Customer deleted = client.v1().customers().delete(customer.getId());

        assertThat(deleted.getDeleted()).isTrue();
        assertThat(client.v1().customers().retrieve(customer.getId()).getDeleted())
                .isTrue();
        assertThatThrownBy(() -> client.v1()
                        .customers()
                        .update(
                                customer.getId(),
                                CustomerUpdateParams.builder().setName("x").build()))
                .isInstanceOf(InvalidRequestException.class);
    }
}
