package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Charge;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeCollection;
import com.stripe.model.StripeSearchResult;
import com.stripe.param.PaymentIntentCancelParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentListParams;
import com.stripe.param.PaymentIntentRetrieveParams;
import com.stripe.param.PaymentIntentSearchParams;
import com.stripe.param.PaymentIntentUpdateParams;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PaymentIntentsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private PaymentIntent create(long amount) throws Exception {
        return client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(amount)
                        .setCurrency("usd")
                        .putMetadata("purchase_id", "42")
                        .putMetadata("user_id", "u-1")
                        .setDescription("500k tokens")
                        .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder()
                                .setEnabled(true)
                                .build())
                        .build());
    }

    private PaymentIntent confirm(String id, String paymentMethod) throws Exception {
        return client.v1()
                .paymentIntents()
                .confirm(
                        id,
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(paymentMethod)
                                .build());
    }

    @Test
    void shouldCreateAPaymentIntentWaitingForAPaymentMethod() throws Exception {
        PaymentIntent pi = create(2000);

        assertThat(pi.getId()).startsWith("pi_");
        assertThat(pi.getStatus()).isEqualTo("requires_payment_method");
        assertThat(pi.getAmount()).isEqualTo(2000L);
        assertThat(pi.getCurrency()).isEqualTo("usd");
        assertThat(pi.getMetadata()).containsEntry("purchase_id", "42").containsEntry("user_id", "u-1");
        assertThat(pi.getDescription()).isEqualTo("500k tokens");
        assertThat(pi.getClientSecret()).startsWith(pi.getId() + "_secret_");
        assertThat(pi.getAutomaticPaymentMethods().getEnabled()).isTrue();
        assertThat(pi.getLivemode()).isFalse();
        assertThat(fake.eventTypes()).containsExactly("payment_intent.created");
    }

    @Test
    void shouldRetrieveAndUpdateAPaymentIntent() throws Exception {
        PaymentIntent created = create(2000);

        PaymentIntent updated = client.v1()
                .paymentIntents()
                .update(
                        created.getId(),
                        PaymentIntentUpdateParams.builder()
                                .setAmount(3000L)
                                .putMetadata("user_id", "u-2")
                                .putMetadata("purchase_id", "")
                                .build());
        PaymentIntent retrieved = client.v1().paymentIntents().retrieve(created.getId());

        assertThat(updated.getAmount()).isEqualTo(3000L);
        assertThat(retrieved.getAmount()).isEqualTo(3000L);
        assertThat(retrieved.getMetadata()).containsExactly(Map.entry("user_id", "u-2"));
    }

    @Test
    void shouldAnswer404ForAnUnknownPaymentIntent() {
        assertThatThrownBy(() -> client.v1().paymentIntents().retrieve("pi_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("id");
                    assertThat(e.getRequestId()).startsWith("req_");
                });
    }

    @Test
    void shouldSucceedWithPmCardVisaAndCreateTheCharge() throws Exception {
        PaymentIntent pi = confirm(create(2000).getId(), "pm_card_visa");

        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getAmountReceived()).isEqualTo(2000L);
        assertThat(pi.getPaymentMethod()).startsWith("pm_").isNotEqualTo("pm_card_visa");
        Charge charge = client.v1().charges().retrieve(pi.getLatestCharge());
        assertThat(charge.getStatus()).isEqualTo("succeeded");
        assertThat(charge.getPaid()).isTrue();
        assertThat(charge.getAmount()).isEqualTo(2000L);
        assertThat(charge.getPaymentIntent()).isEqualTo(pi.getId());
        assertThat(charge.getPaymentMethodDetails().getCard().getLast4()).isEqualTo("4242");
        assertThat(charge.getBalanceTransaction()).startsWith("txn_");
        assertThat(fake.eventTypes())
                .containsExactly("payment_intent.created", "charge.succeeded", "payment_intent.succeeded");
    }

    static Stream<Arguments> cards() {
        return Stream.of(
                Arguments.of(TestCards.VISA, "succeeded", null, null, "visa"),
                Arguments.of(TestCards.MASTERCARD, "succeeded", null, null, "mastercard"),
                Arguments.of(TestCards.DECLINED, "requires_payment_method", "card_declined", "generic_decline", "visa"),
                Arguments.of(
                        TestCards.INSUFFICIENT_FUNDS,
                        "requires_payment_method",
                        "card_declined",
                        "insufficient_funds",
                        "visa"),
                Arguments.of(TestCards.AUTHENTICATION_REQUIRED, "requires_action", null, null, "visa"),
                Arguments.of(TestCards.AUTHENTICATION_ALWAYS_REQUIRED, "requires_action", null, null, "visa"),
                Arguments.of(TestCards.THREE_D_SECURE_2_REQUIRED, "requires_action", null, null, "visa"),
                Arguments.of(TestCards.VISA_DEBIT, "succeeded", null, null, "visa"),
                Arguments.of(TestCards.AMEX, "succeeded", null, null, "amex"),
                Arguments.of(TestCards.LOST_CARD, "requires_payment_method", "card_declined", "lost_card", "visa"),
                Arguments.of(TestCards.EXPIRED_CARD, "requires_payment_method", "expired_card", "expired_card", "visa"),
                Arguments.of(
                        TestCards.INCORRECT_CVC, "requires_payment_method", "incorrect_cvc", "incorrect_cvc", "visa"),
                Arguments.of(
                        TestCards.PROCESSING_ERROR,
                        "requires_payment_method",
                        "processing_error",
                        "processing_error",
                        "visa"),
                Arguments.of(
                        "4111111111111111", "requires_payment_method", "card_declined", "test_mode_live_card", "visa"));
    }

    @ParameterizedTest(name = "{0} -> {1} {3}")
    @MethodSource("cards")
    void shouldBehaveAsStripeForEachTestCardNumber(
            String number, String status, String code, String declineCode, String brand) throws Exception {
        PaymentIntent pi = create(1500);
        PaymentIntentConfirmParams params = PaymentIntentConfirmParams.builder()
                .putExtraParam(
                        "payment_method_data",
                        Map.of(
                                "type",
                                "card",
                                "card",
                                Map.of("number", number, "exp_month", "12", "exp_year", "2034", "cvc", "123")))
                .build();

        if (code == null) {
            PaymentIntent confirmed = client.v1().paymentIntents().confirm(pi.getId(), params);
            assertThat(confirmed.getStatus()).isEqualTo(status);
        } else {
            assertThatThrownBy(() -> client.v1().paymentIntents().confirm(pi.getId(), params))
                    .isInstanceOfSatisfying(CardException.class, e -> {
                        assertThat(e.getStatusCode()).isEqualTo(402);
                        assertThat(e.getCode()).isEqualTo(code);
                        assertThat(e.getDeclineCode()).isEqualTo(declineCode);
                        assertThat(e.getCharge()).startsWith("ch_");
                        assertThat(e.getStripeError().getPaymentIntent().getId())
                                .isEqualTo(pi.getId());
                    });
            PaymentIntent after = client.v1().paymentIntents().retrieve(pi.getId());
            assertThat(after.getStatus()).isEqualTo(status);
            assertThat(after.getLastPaymentError().getCode()).isEqualTo(code);
            assertThat(after.getLastPaymentError().getDeclineCode()).isEqualTo(declineCode);
            assertThat(after.getLastPaymentError().getType()).isEqualTo("card_error");
        }
        String pmId = client.v1().paymentIntents().retrieve(pi.getId()).getPaymentMethod();
        assertThat(client.v1().paymentMethods().retrieve(pmId).getCard().getBrand())
                .isEqualTo(brand);
    }

    @Test
    void shouldDeclinePmCardChargeDeclinedWithAFailedChargeAndEvents() throws Exception {
        String id = create(2000).getId();

        assertThatThrownBy(() -> confirm(id, "pm_card_chargeDeclined"))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.getDeclineCode()).isEqualTo("generic_decline"));

        PaymentIntent pi = client.v1()
                .paymentIntents()
                .retrieve(
                        id,
                        PaymentIntentRetrieveParams.builder()
                                .addExpand("latest_charge")
                                .build());
        assertThat(pi.getLatestChargeObject().getStatus()).isEqualTo("failed");
        assertThat(pi.getLatestChargeObject().getFailureCode()).isEqualTo("card_declined");
        assertThat(fake.eventTypes())
                .containsExactly("payment_intent.created", "charge.failed", "payment_intent.payment_failed");
    }

    @Test
    void shouldSucceedWithAnotherCardAfterADecline() throws Exception {
        String id = create(2000).getId();
        assertThatThrownBy(() -> confirm(id, "pm_card_chargeDeclinedInsufficientFunds"))
                .isInstanceOf(CardException.class);

        PaymentIntent pi = confirm(id, "pm_card_mastercard");

        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getLastPaymentError()).isNull();
    }

    @Test
    void shouldRefuseToConfirmTwice() throws Exception {
        String id = confirm(create(2000).getId(), "pm_card_visa").getId();

        assertThatThrownBy(() -> confirm(id, "pm_card_visa"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("payment_intent_unexpected_state"));
    }

    @Test
    void shouldCreateAndConfirmInOneCall() throws Exception {
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(5000L)
                        .setCurrency("eur")
                        .setPaymentMethod("pm_card_visa")
                        .setConfirm(true)
                        .build());

        assertThat(pi.getStatus()).isEqualTo("succeeded");
    }

    @Test
    void shouldCancelAPaymentIntent() throws Exception {
        String id = create(2000).getId();

        PaymentIntent canceled = client.v1()
                .paymentIntents()
                .cancel(
                        id,
                        PaymentIntentCancelParams.builder()
                                .setCancellationReason(PaymentIntentCancelParams.CancellationReason.ABANDONED)
                                .build());

        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(canceled.getCancellationReason()).isEqualTo("abandoned");
        assertThat(canceled.getCanceledAt()).isNotNull();
        assertThat(fake.eventTypes()).endsWith("payment_intent.canceled");
        assertThatThrownBy(() -> confirm(id, "pm_card_visa")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldListNewestFirstWithTheCreatedFilterAndPages() throws Exception {
        PaymentIntent first = create(1000);
        PaymentIntent second = create(2000);
        PaymentIntent third = create(3000);
        long now = Instant.now().getEpochSecond();

        StripeCollection<PaymentIntent> page = client.v1()
                .paymentIntents()
                .list(PaymentIntentListParams.builder()
                        .setLimit(2L)
                        .setCreated(PaymentIntentListParams.Created.builder()
                                .setGte(now - 60)
                                .build())
                        .build());
        StripeCollection<PaymentIntent> next = client.v1()
                .paymentIntents()
                .list(PaymentIntentListParams.builder()
                        .setLimit(2L)
                        .setStartingAfter(second.getId())
                        .build());
        StripeCollection<PaymentIntent> future = client.v1()
                .paymentIntents()
                .list(PaymentIntentListParams.builder()
                        .setCreated(PaymentIntentListParams.Created.builder()
                                .setGt(now + 60)
                                .build())
                        .build());

        assertThat(page.getData()).extracting(PaymentIntent::getId).containsExactly(third.getId(), second.getId());
        assertThat(page.getHasMore()).isTrue();
        assertThat(next.getData()).extracting(PaymentIntent::getId).containsExactly(first.getId());
        assertThat(next.getHasMore()).isFalse();
        assertThat(future.getData()).isEmpty();
    }

    @Test
    void shouldSearchByMetadataAndStatus() throws Exception {
        PaymentIntent wanted = create(1000);
        client.v1()
                .paymentIntents()
                .update(
                        wanted.getId(),
                        PaymentIntentUpdateParams.builder()
                                .putMetadata("purchase_id", "777")
                                .build());
        create(2000);

        StripeSearchResult<PaymentIntent> result = client.v1()
                .paymentIntents()
                .search(PaymentIntentSearchParams.builder()
                        .setQuery("metadata['purchase_id']:'777' AND status:'requires_payment_method'")
                        .build());

        assertThat(result.getData()).extracting(PaymentIntent::getId).containsExactly(wanted.getId());
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .search(PaymentIntentSearchParams.builder()
                                .setQuery("metadata['a']:'x' AND OR")
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("query"));
    }

    @Test
    void shouldStopInProcessingWhenAsked() throws Exception {
        fake.setAsyncCardPayments(true);
        String id = create(2000).getId();

        PaymentIntent processing = confirm(id, "pm_card_visa");
        fake.completeProcessing(id, true);

        assertThat(processing.getStatus()).isEqualTo("processing");
        assertThat(client.v1().paymentIntents().retrieve(id).getStatus()).isEqualTo("succeeded");
        assertThat(fake.eventTypes())
                .containsExactly(
                        "payment_intent.created",
                        "payment_intent.processing",
                        "charge.succeeded",
                        "payment_intent.succeeded");
    }

    @Test
    void shouldRefuseAnAmountBelowTheMinimumNamingTheParameter() {
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setAmount(10L)
                                .setCurrency("usd")
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getCode()).isEqualTo("amount_too_small");
                    assertThat(e.getParam()).isEqualTo("amount");
                });
    }

    @Test
    void shouldRefuseAnUnknownCustomer() {
        assertThatThrownBy(() -> client.v1()
                        .paymentIntents()
                        .create(PaymentIntentCreateParams.builder()
                                .setAmount(1000L)
                                .setCurrency("usd")
                                .setCustomer("cus_nope")
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("customer");
                });
    }
}
