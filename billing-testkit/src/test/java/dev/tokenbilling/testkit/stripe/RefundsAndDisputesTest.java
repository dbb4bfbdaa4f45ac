package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Charge;
import com.stripe.model.Dispute;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Refund;
import com.stripe.param.DisputeListParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RefundsAndDisputesTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private PaymentIntent paid(long amount, String paymentMethod) throws Exception {
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(amount)
                        .setCurrency("usd")
                        .build());
        return client.v1()
                .paymentIntents()
                .confirm(
                        pi.getId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(paymentMethod)
                                .build());
    }

    @Test
    void shouldRefundPartiallyThenFully() throws Exception {
        PaymentIntent pi = paid(2000, "pm_card_visa");

        Refund partial = client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setPaymentIntent(pi.getId())
                        .setAmount(500L)
                        .setReason(RefundCreateParams.Reason.REQUESTED_BY_CUSTOMER)
                        .build());
        Charge afterPartial = client.v1().charges().retrieve(pi.getLatestCharge());
        Refund rest = client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setCharge(pi.getLatestCharge())
                        .build());
        Charge afterFull = client.v1().charges().retrieve(pi.getLatestCharge());

        assertThat(partial.getStatus()).isEqualTo("succeeded");
        assertThat(partial.getAmount()).isEqualTo(500L);
        assertThat(partial.getPaymentIntent()).isEqualTo(pi.getId());
        assertThat(afterPartial.getAmountRefunded()).isEqualTo(500L);
        assertThat(afterPartial.getRefunded()).isFalse();
        assertThat(rest.getAmount()).isEqualTo(1500L);
        assertThat(afterFull.getAmountRefunded()).isEqualTo(2000L);
        assertThat(afterFull.getRefunded()).isTrue();

        List<ObjectNode> refunded = fake.events("charge.refunded");
        assertThat(refunded).hasSize(2);
        assertThat(refunded.get(0).at("/data/object/amount_refunded").asLong()).isEqualTo(500);
        assertThat(refunded.get(0).at("/data/object/refunded").asBoolean()).isFalse();
        assertThat(refunded.get(0)
                        .at("/data/previous_attributes/amount_refunded")
                        .asLong())
                .isZero();
        assertThat(refunded.get(1).at("/data/object/amount_refunded").asLong()).isEqualTo(2000);
        assertThat(refunded.get(1).at("/data/object/refunded").asBoolean()).isTrue();
        assertThat(fake.events("refund.created")).hasSize(2);
        assertThat(client.v1()
                        .refunds()
                        .list(RefundListParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build())
                        .getData())
                .extracting(Refund::getId)
                .containsExactly(rest.getId(), partial.getId());
    }

    @Test
    void shouldRefuseToRefundMoreThanWasPaid() throws Exception {
        PaymentIntent pi = paid(2000, "pm_card_visa");

        assertThatThrownBy(() -> client.v1()
                        .refunds()
                        .create(RefundCreateParams.builder()
                                .setPaymentIntent(pi.getId())
                                .setAmount(2001L)
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("amount"));
        client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setPaymentIntent(pi.getId())
                        .build());
        assertThatThrownBy(() -> client.v1()
                        .refunds()
                        .create(RefundCreateParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("charge_already_refunded"));
    }

    @Test
    void shouldRefuseToRefundAnUnpaidPaymentIntent() throws Exception {
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(2000L)
                        .setCurrency("usd")
                        .build());

        assertThatThrownBy(() -> client.v1()
                        .refunds()
                        .create(RefundCreateParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getParam()).isEqualTo("payment_intent"));
    }

    @Test
    void shouldOpenAndWinADispute() throws Exception {
        PaymentIntent pi = paid(3000, "pm_card_visa");

        String disputeId = fake.openDispute(pi.getId()).get("id").asText();
        Dispute open = client.v1().disputes().retrieve(disputeId);
        fake.winDispute(disputeId);
        Dispute won = client.v1().disputes().retrieve(disputeId);

        assertThat(open.getStatus()).isEqualTo("needs_response");
        assertThat(open.getAmount()).isEqualTo(3000L);
        assertThat(open.getCharge()).isEqualTo(pi.getLatestCharge());
        assertThat(open.getPaymentIntent()).isEqualTo(pi.getId());
        assertThat(client.v1().charges().retrieve(pi.getLatestCharge()).getDisputed())
                .isTrue();
        assertThat(won.getStatus()).isEqualTo("won");
        assertThat(fake.eventTypes())
                .containsSubsequence(
                        "charge.dispute.created",
                        "charge.dispute.funds_withdrawn",
                        "charge.dispute.closed",
                        "charge.dispute.funds_reinstated");
        assertThat(client.v1()
                        .disputes()
                        .list(DisputeListParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build())
                        .getData())
                .hasSize(1);
    }

    @Test
    void shouldLoseADisputeAndRefuseRefundsWhileItIsOpen() throws Exception {
        PaymentIntent pi = paid(3000, "pm_card_visa");
        String disputeId = fake.openDispute(pi.getLatestCharge(), "product_not_received", 1000L)
                .get("id")
                .asText();

        assertThatThrownBy(() -> client.v1()
                        .refunds()
                        .create(RefundCreateParams.builder()
                                .setPaymentIntent(pi.getId())
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("charge_disputed"));
        fake.loseDispute(disputeId);

        Dispute lost = client.v1().disputes().retrieve(disputeId);
        assertThat(lost.getStatus()).isEqualTo("lost");
        assertThat(lost.getReason()).isEqualTo("product_not_received");
        assertThat(lost.getAmount()).isEqualTo(1000L);
        assertThat(fake.events("charge.dispute.closed")
                        .get(0)
                        .at("/data/object/status")
                        .asText())
                .isEqualTo("lost");
        assertThatThrownBy(() -> fake.winDispute(disputeId)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCloseADisputeThroughTheApi() throws Exception {
        PaymentIntent pi = paid(3000, "pm_card_visa");
        String disputeId = fake.openDispute(pi.getId()).get("id").asText();

        Dispute closed = client.v1().disputes().close(disputeId);

        assertThat(closed.getStatus()).isEqualTo("lost");
    }

    @Test
    void shouldDisputeTheDisputeTestCardByItself() throws Exception {
        PaymentIntent pi = paid(2500, "pm_card_createDispute");

        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(fake.events("charge.dispute.created")).hasSize(1);
        assertThat(fake.objects("dispute"))
                .singleElement()
                .satisfies(d -> assertThat(d.get("charge").asText()).isEqualTo(pi.getLatestCharge()));
    }

    @Test
    void shouldFailEveryRefundOfTheRefundFailTestCard() throws Exception {
        PaymentIntent pi = paid(2000, "pm_card_refundFail");

        Refund refund = client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setPaymentIntent(pi.getId())
                        .setAmount(800L)
                        .build());

        Refund now = client.v1().refunds().retrieve(refund.getId());
        assertThat(now.getStatus()).isEqualTo("failed");
        assertThat(now.getFailureReason()).isEqualTo("expired_or_canceled_card");
        assertThat(now.getFailureBalanceTransaction()).startsWith("txn_");
        Charge charge = client.v1().charges().retrieve(pi.getLatestCharge());
        assertThat(charge.getAmountRefunded()).isZero();
        assertThat(charge.getRefunded()).isFalse();
        assertThat(fake.events("charge.refunded")).hasSize(1);
        for (String type : List.of("charge.refund.updated", "refund.updated", "refund.failed")) {
            assertThat(fake.events(type)).singleElement().satisfies(event -> {
                assertThat(event.at("/data/object/id").asText()).isEqualTo(refund.getId());
                assertThat(event.at("/data/object/status").asText()).isEqualTo("failed");
                assertThat(event.at("/data/previous_attributes/status").asText())
                        .isEqualTo("succeeded");
            });
        }
    }

    @Test
    void shouldFailARefundOnRequestOnlyOnce() throws Exception {
        PaymentIntent pi = paid(2000, "pm_card_visa");
        Refund refund = client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setPaymentIntent(pi.getId())
                        .build());

        fake.failRefund(refund.getId());

        assertThat(client.v1().charges().retrieve(pi.getLatestCharge()).getAmountRefunded())
                .isZero();
        assertThatThrownBy(() -> fake.failRefund(refund.getId())).hasMessageContaining("cannot fail");
    }
}
