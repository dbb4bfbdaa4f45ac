package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentCreateParams.SetupFutureUsage;
import com.stripe.param.PaymentMethodAttachParams;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving a card during a payment ({@code setup_future_usage}) and charging it later off-session. */
class OffSessionPaymentsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;
    private String customer;

    @BeforeEach
    void setUp(FakeStripe fake) throws Exception {
        this.fake = fake;
        this.client = Clients.secret(fake);
        this.customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder().build())
                .getId();
    }

    private PaymentIntent payOnSessionSaving(String paymentMethod) throws Exception {
        return client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(2000L)
                        .setCurrency("usd")
                        .setCustomer(customer)
                        .setSetupFutureUsage(SetupFutureUsage.OFF_SESSION)
                        .setPaymentMethod(paymentMethod)
                        .setConfirm(true)
                        .build());
    }

    private PaymentIntent payOffSession(String paymentMethod, RequestOptions options) throws Exception {
        return client.v1()
                .paymentIntents()
                .create(
                        PaymentIntentCreateParams.builder()
                                .setAmount(900L)
                                .setCurrency("usd")
                                .setCustomer(customer)
                                .setPaymentMethod(paymentMethod)
                                .setOffSession(true)
                                .setConfirm(true)
                                .build(),
                        options);
    }

    private String saved(String testPaymentMethod) throws Exception {
        return client.v1()
                .paymentMethods()
                .attach(
                        testPaymentMethod,
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build())
                .getId();
    }

    @Test
    void shouldSaveTheCardOfAPaymentWithSetupFutureUsage() throws Exception {
        PaymentIntent pi = payOnSessionSaving("pm_card_visa");

        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getSetupFutureUsage()).isEqualTo("off_session");
        PaymentMethod card = client.v1().paymentMethods().retrieve(pi.getPaymentMethod());
        assertThat(card.getCustomer()).isEqualTo(customer);
        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .extracting(PaymentMethod::getId)
                .containsExactly(card.getId());
        assertThat(fake.eventTypes())
                .containsExactly(
                        "customer.created",
                        "payment_intent.created",
                        "payment_method.attached",
                        "charge.succeeded",
                        "payment_intent.succeeded");
    }

    @Test
    void shouldNotSaveTheCardOfADeclinedPayment() throws Exception {
        assertThatThrownBy(() -> payOnSessionSaving("pm_card_chargeDeclined")).isInstanceOf(CardException.class);

        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();
        assertThat(fake.eventTypes()).doesNotContain("payment_method.attached");
    }

    @Test
    void shouldChargeASavedCardOffSession() throws Exception {
        String card = payOnSessionSaving("pm_card_visa").getPaymentMethod();

        PaymentIntent pi = payOffSession(card, null);

        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getAmountReceived()).isEqualTo(900L);
        assertThat(fake.eventTypes())
                .endsWith("payment_intent.created", "charge.succeeded", "payment_intent.succeeded");
    }

    @Test
    void shouldNotAskAgainForACardThatNeedsAuthenticationOnlyUntilSetUp() throws Exception {
        PaymentIntent first = payOnSessionSaving("pm_card_authenticationRequiredOnSetup");
        assertThat(first.getStatus()).isEqualTo("requires_action");
        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();
        fake.authenticate(first.getId(), true);
        String card = client.v1().paymentIntents().retrieve(first.getId()).getPaymentMethod();
        assertThat(client.v1().paymentMethods().retrieve(card).getCustomer()).isEqualTo(customer);

        PaymentIntent later = payOffSession(card, null);

        assertThat(later.getStatus()).isEqualTo("succeeded");
        assertThat(client.v1().paymentMethods().retrieve(card).getCard().getLast4())
                .isEqualTo("3155");
    }

    static Stream<Arguments> cardsThatNeedTheCustomer() {
        // 3155 only when it was saved without being set up (attached directly).
        return Stream.of(
                Arguments.of("pm_card_authenticationRequired", "3184"),
                Arguments.of("pm_card_threeDSecure2Required", "3220"),
                Arguments.of("pm_card_authenticationRequiredOnSetup", "3155"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cardsThatNeedTheCustomer")
    void shouldFailAnOffSessionPaymentThatNeedsAuthenticationThenLetTheCustomerAuthenticate(
            String testCard, String last4) throws Exception {
        String card = saved(testCard);

        CardException error = assertThrows(CardException.class, () -> payOffSession(card, null));

        assertThat(error.getStatusCode()).isEqualTo(402);
        assertThat(error.getCode()).isEqualTo("authentication_required");
        assertThat(error.getDeclineCode()).isEqualTo("authentication_required");
        String id = error.getStripeError().getPaymentIntent().getId();
        PaymentIntent failed = client.v1().paymentIntents().retrieve(id);
        assertThat(failed.getStatus()).isEqualTo("requires_payment_method");
        assertThat(failed.getLastPaymentError().getCode()).isEqualTo("authentication_required");
        assertThat(failed.getLastPaymentError().getPaymentMethod().getId()).isEqualTo(card);
        assertThat(failed.getLastPaymentError().getPaymentMethod().getCard().getLast4())
                .isEqualTo(last4);
        assertThat(fake.eventTypes())
                .endsWith("payment_intent.created", "charge.failed", "payment_intent.payment_failed");

        // The customer comes back and pays on-session with the same card.
        PaymentIntent action = client.v1()
                .paymentIntents()
                .confirm(
                        id,
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(card)
                                .setReturnUrl("https://example.com/back")
                                .build());
        assertThat(action.getStatus()).isEqualTo("requires_action");
        assertThat(action.getNextAction().getType()).isEqualTo("redirect_to_url");
        fake.authenticate(id, true);
        assertThat(client.v1().paymentIntents().retrieve(id).getStatus()).isEqualTo("succeeded");
    }

    @Test
    void shouldAskEveryTimeForACardThatAlwaysNeedsAuthenticationEvenOnceSetUp() throws Exception {
        PaymentIntent first = payOnSessionSaving("pm_card_authenticationRequired");
        fake.authenticate(first.getId(), true);
        String card = client.v1().paymentIntents().retrieve(first.getId()).getPaymentMethod();
        assertThat(client.v1().paymentMethods().retrieve(card).getCustomer()).isEqualTo(customer);

        assertThatThrownBy(() -> payOffSession(card, null))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.getCode()).isEqualTo("authentication_required"));
    }

    @Test
    void shouldDeclineAnOffSessionPaymentForInsufficientFunds() throws Exception {
        String card = saved("pm_card_chargeDeclinedInsufficientFunds");

        assertThatThrownBy(() -> payOffSession(card, null)).isInstanceOfSatisfying(CardException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(402);
            assertThat(e.getCode()).isEqualTo("card_declined");
            assertThat(e.getDeclineCode()).isEqualTo("insufficient_funds");
            assertThat(e.getStripeError().getPaymentIntent().getStatus()).isEqualTo("requires_payment_method");
        });
        assertThat(fake.eventTypes())
                .endsWith("payment_intent.created", "charge.failed", "payment_intent.payment_failed");
    }

    @Test
    void shouldReplayAnOffSessionDeclineForTheSameIdempotencyKey() throws Exception {
        String card = saved("pm_card_authenticationRequired");
        RequestOptions key =
                RequestOptions.builder().setIdempotencyKey("renewal-7").build();

        CardException first = assertThrows(CardException.class, () -> payOffSession(card, key));
        CardException again = assertThrows(CardException.class, () -> payOffSession(card, key));

        assertThat(again.getStripeError().getPaymentIntent().getId())
                .isEqualTo(first.getStripeError().getPaymentIntent().getId());
        assertThat(fake.objects("payment_intent")).hasSize(1);
        assertThat(fake.events("payment_intent.payment_failed")).hasSize(1);
    }

    @Test
    void shouldRefuseOffSessionWithoutConfirm() {
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setAmount(900L)
                                .setCurrency("usd")
                                .setCustomer(customer)
                                .setOffSession(true)
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("off_session"));
        assertThat(fake.objects("payment_intent")).isEmpty();
    }
}
