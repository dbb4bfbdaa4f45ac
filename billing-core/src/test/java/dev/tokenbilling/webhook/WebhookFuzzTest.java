package dev.tokenbilling.webhook;

import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.StripeEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes webhook deliveries: random bytes, broken JSON, wrong and malformed signature headers, and
 * correctly signed events of random shapes. Each must get a clear answer and move no tokens.
 */
class WebhookFuzzTest {

    private static BillingFixture fixture;
    private static Purchase purchase;
    private static TokenBalance before;

    @BeforeContainer
    static void setUp() {
        fixture = BillingFixture.create(WebhookFuzzTest.class, builder -> builder
                .stripe(StripeApi.builder().secretKey("sk_test_unused").build()).webhooks(WebhookVerification.builder().secret(StripeEvents.SECRET).build()));
        fixture.seed();
        purchase = fixture.pendingPurchaseWithIntent("fuzz-user", "starter-100k");
        fixture.service.ledger().grant(Grant.of(purchase.userId(), 1_000, IdempotencyKey.of("fuzz-grant"), "fuzz baseline"));
        before = fixture.service.ledger().balance(purchase.userId());
    }

    @AfterContainer
    static void nothingMoved() {
        TokenBalance after = fixture.service.ledger().balance(purchase.userId());
        assertThat(after.balance()).isEqualTo(before.balance());
        assertThat(fixture.service.purchases().find(purchase.userId(), purchase.id()).orElseThrow().status()).isEqualTo(purchase.status());
        fixture.assertLedgerInvariants();
    }

    record Delivery(byte[] body, String header) {
    }

    @Property(tries = 10_000)
    void shouldAnswerEveryMalformedDeliveryClearlyAndMoveNoTokens(@ForAll("deliveries") Delivery delivery) {
        WebhookOutcome outcome = fixture.billing.webhooks().handle(delivery.body(), delivery.header());

        assertThat(outcome.describe()).isNotBlank();
        assertThat(outcome.status()).isNotIn(WebhookOutcome.Status.PROCESSED, WebhookOutcome.Status.FAILED_RETRYABLE);
        if (outcome.status() == WebhookOutcome.Status.REJECTED) {
            assertThat(outcome.httpStatus()).isEqualTo(400);
        }
    }

    @Provide
    Arbitrary<Delivery> deliveries() {
        Arbitrary<String> junkText = Arbitraries.strings().ofMaxLength(300);
        Arbitrary<byte[]> junkBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<String> headers = Arbitraries.oneOf(
                Arbitraries.just(null), junkText,
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(12).map(t -> "t=" + t + ",v1=abc"),
                Arbitraries.strings().withCharRange('a', 'f').ofLength(64).map(sig -> "t=" + Instant.now().getEpochSecond() + ",v1=" + sig));
        Arbitrary<Delivery> unsigned = Combinators.combine(Arbitraries.oneOf(junkBytes, junkText.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                headers).as(Delivery::new);
        Arbitrary<Delivery> signedJunk = junkText.map(WebhookFuzzTest::signed);
        Arbitrary<Delivery> signedEvents = Combinators.combine(
                Arbitraries.of("payment_intent.created", "payment_intent.succeeded", "charge.refunded", "charge.dispute.created",
                        "invoice.paid", "", "x"),
                Arbitraries.of("{}", "[]", "null", "\"text\"", "{\"id\":7}", "{\"id\":\"pi_unknown\",\"status\":\"succeeded\"}",
                        "{\"id\":\"ch_x\",\"payment_intent\":\"pi_nope\",\"amount_refunded\":5}"),
                Arbitraries.of("{\"id\":\"evt_%s\",\"type\":\"%s\",\"data\":{\"object\":%s}}", "{\"type\":\"%2$s\",\"data\":%3$s,\"x\":\"%1$s\"}",
                        "{\"id\":\"evt_%s\",\"type\":\"%s\",\"data\":{\"object\":%s}"),
                Arbitraries.strings().alpha().ofLength(10))
                .as((type, object, shape, id) -> signed(String.format(shape, id, type, object)));
        return Arbitraries.oneOf(unsigned, signedJunk, signedEvents);
    }

    private static Delivery signed(String payload) {
        return new Delivery(payload.getBytes(StandardCharsets.UTF_8), StripeEvents.sign(payload));
    }

}
