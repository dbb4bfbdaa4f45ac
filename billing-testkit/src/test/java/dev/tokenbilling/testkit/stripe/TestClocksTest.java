package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.testhelpers.TestClock;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.testhelpers.TestClockAdvanceParams;
import com.stripe.param.testhelpers.TestClockCreateParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestClocksTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private static final long FROZEN = 1_767_225_600L; // 2026-01-01T00:00:00Z

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private TestClock create(String name) throws Exception {
        return client.v1()
                .testHelpers()
                .testClocks()
                .create(TestClockCreateParams.builder()
                        .setFrozenTime(FROZEN)
                        .setName(name)
                        .build());
    }

    @Test
    void shouldCreateRetrieveListAndDeleteClocks() throws Exception {
        TestClock clock = create("first");

        assertThat(clock.getId()).startsWith("clock_");
        assertThat(clock.getObject()).isEqualTo("test_helpers.test_clock");
        assertThat(clock.getFrozenTime()).isEqualTo(FROZEN);
        assertThat(clock.getName()).isEqualTo("first");
        assertThat(clock.getStatus()).isEqualTo("ready");
        assertThat(clock.getDeletesAfter()).isGreaterThan(clock.getCreated());
        assertThat(client.v1()
                        .testHelpers()
                        .testClocks()
                        .retrieve(clock.getId())
                        .getName())
                .isEqualTo("first");
        create("second");
        assertThat(client.v1().testHelpers().testClocks().list().getData())
                .extracting(TestClock::getName)
                .containsExactly("second", "first");

        String customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setTestClock(clock.getId())
                        .build())
                .getId();

        TestClock deleted = client.v1().testHelpers().testClocks().delete(clock.getId());

        assertThat(deleted.getDeleted()).isTrue();
        assertThatThrownBy(() -> client.v1().customers().retrieve(customer))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.v1().testHelpers().testClocks().retrieve(clock.getId()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldPutCustomersOnTheClocksTime() throws Exception {
        TestClock clock = create("customers");

        Customer customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setTestClock(clock.getId())
                        .build());

        assertThat(customer.getTestClock()).isEqualTo(clock.getId());
        assertThat(customer.getCreated()).isEqualTo(FROZEN);
        assertThat(client.v1()
                        .customers()
                        .list(CustomerListParams.builder()
                                .setTestClock(clock.getId())
                                .build())
                        .getData())
                .extracting(Customer::getId)
                .containsExactly(customer.getId());
        assertThatThrownBy(() -> client.v1()
                        .customers()
                        .create(CustomerCreateParams.builder()
                                .setTestClock("clock_missing")
                                .build()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldAdvanceWithAdvancingAndReadyEvents() throws Exception {
        TestClock clock = create("advance");

        TestClock advanced = client.v1()
                .testHelpers()
                .testClocks()
                .advance(
                        clock.getId(),
                        TestClockAdvanceParams.builder()
                                .setFrozenTime(FROZEN + 86_400)
                                .build());

        assertThat(advanced.getFrozenTime()).isEqualTo(FROZEN + 86_400);
        assertThat(advanced.getStatus()).isEqualTo("ready");
        assertThat(fake.eventTypes())
                .containsSubsequence("test_helpers.test_clock.advancing", "test_helpers.test_clock.ready");
        assertThat(fake.events("test_helpers.test_clock.advancing"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.at("/data/object/status").asText()).isEqualTo("advancing");
                    assertThat(e.at("/data/object/status_details/advancing/target_frozen_time")
                                    .asLong())
                            .isEqualTo(FROZEN + 86_400);
                });
        assertThatThrownBy(() -> client.v1()
                        .testHelpers()
                        .testClocks()
                        .advance(
                                clock.getId(),
                                TestClockAdvanceParams.builder()
                                        .setFrozenTime(FROZEN + 86_400)
                                        .build()))
                .isInstanceOf(InvalidRequestException.class);
    }
}
