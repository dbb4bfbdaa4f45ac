package dev.tokenbilling.webhook;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.Outcomes;
import dev.tokenbilling.support.StripeEvents;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A refund that fails (or is canceled) after it took tokens back gives them back, once, and no older
 * or repeated event about that refund or its charge takes them again.
 */
class RefundFailureTest {

    private static BillingFixture fixture;
    private static int users;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(RefundFailureTest.class, RefundFailureTest::configure);
        fixture.seed();
    }

    private static void configure(dev.tokenbilling.TokenBilling.Builder builder) {
        builder.stripe(StripeApi.builder().secretKey("sk_test_unused").build())
                .webhooks(WebhookVerification.builder()
                        .secret(StripeEvents.SECRET)
                        .build());
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    /** booster-500k: 500,000 tokens for 2000 minor units, credited. */
    private static Purchase creditedBooster() {
        Purchase purchase = fixture.pendingPurchaseWithIntent("refund-user-" + (++users), "booster-500k");
        deliver(
                fixture,
                StripeEvents.paymentIntentEvent(
                        "payment_intent.succeeded",
                        purchase,
                        "succeeded",
                        purchase.amount().minorUnits(),
                        null));
        return purchase;
    }

    private static WebhookOutcome deliver(BillingFixture to, String payload) {
        return to.billing.webhooks().handle(bytes(payload), sign(payload));
    }

    private static PurchaseTransition deliver(String payload) {
        return Outcomes.transitionOf(deliver(fixture, payload));
    }

    private static long balance(BillingFixture in, Purchase purchase) {
        return in.service.ledger().balance(purchase.userId()).balance();
    }

    private static Purchase reload(BillingFixture in, Purchase purchase) {
        return in.service.purchases().find(purchase.userId(), purchase.id()).orElseThrow();
    }

    private static List<LedgerEntry> entries(Purchase purchase) {
        return fixture.service
                .ledger()
                .history(purchase.userId(), PageRequest.first(100))
                .items();
    }

    @Test
    void shouldGiveTokensBackOnceWhenARefundFails() {
        Purchase purchase = creditedBooster();
        String refunded = StripeEvents.chargeRefunded(purchase, 1000);
        assertThat(deliver(refunded)).isInstanceOf(PurchaseTransition.Reversed.class);
        assertThat(balance(fixture, purchase)).isEqualTo(250_000);

        String failed = StripeEvents.refundEvent("charge.refund.updated", purchase, "re_fails", 1000, "failed");
        assertThat(deliver(failed))
                .isEqualTo(new PurchaseTransition.RefundFailed(purchase.id(), PurchaseStatus.COMPLETED, 250_000));

        assertThat(balance(fixture, purchase)).isEqualTo(500_000);
        Purchase after = reload(fixture, purchase);
        assertThat(after.status()).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(after.amountRefundedMinor()).isZero();
        assertThat(after.tokensReversed()).isZero();
        assertThat(entries(purchase))
                .extracting(LedgerEntry::kind)
                .containsExactly(LedgerEntryKind.REFUND_REVERSAL, LedgerEntryKind.REFUND, LedgerEntryKind.PURCHASE);

        // The same failure told again (refund.failed is sent beside charge.refund.updated), the
        // refund's creation replayed, the charge's older total replayed: nothing moves.
        assertThat(deliver(StripeEvents.refundEvent("refund.failed", purchase, "re_fails", 1000, "failed")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(StripeEvents.refundEvent("refund.created", purchase, "re_fails", 1000, "succeeded")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(StripeEvents.chargeRefunded(purchase, 1000)))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(balance(fixture, purchase)).isEqualTo(500_000);
        assertThat(entries(purchase)).hasSize(3);
    }

    @Test
    void shouldTakeBackARefundAfterAFailedOneWithoutCountingEitherTwice() {
        Purchase purchase = creditedBooster();
        deliver(StripeEvents.refundEvent("refund.created", purchase, "re_first", 1000, "succeeded"));
        deliver(StripeEvents.refundEvent("refund.failed", purchase, "re_first", 1000, "failed"));
        assertThat(balance(fixture, purchase)).isEqualTo(500_000);

        // A second refund of the same amount: named by id, it is new money, taken back once, even
        // though it brings the "owed" figure back to where the failed one had it.
        assertThat(deliver(StripeEvents.refundEvent("refund.created", purchase, "re_second", 1000, "succeeded")))
                .isEqualTo(
                        new PurchaseTransition.Reversed(purchase.id(), PurchaseStatus.PARTIALLY_REFUNDED, 250_000, 0));
        // Its charge.refunded (total counting the failed refund too, or not) changes nothing more.
        assertThat(deliver(StripeEvents.chargeRefunded(purchase, 2000)))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(StripeEvents.chargeRefunded(purchase, 1000)))
                .isInstanceOf(PurchaseTransition.Unchanged.class);

        assertThat(balance(fixture, purchase)).isEqualTo(250_000);
        assertThat(reload(fixture, purchase).amountRefundedMinor()).isEqualTo(1000);
    }

    @Test
    void shouldMatchANamedRefundToMoneyATotalAlreadyCounted() {
        Purchase purchase = creditedBooster();
        deliver(StripeEvents.chargeRefunded(purchase, 500));
        assertThat(balance(fixture, purchase)).isEqualTo(375_000);

        // The refund behind that total, named later: the same money, not taken twice.
        assertThat(deliver(StripeEvents.refundEvent("refund.created", purchase, "re_counted", 500, "succeeded")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(balance(fixture, purchase)).isEqualTo(375_000);

        // Listed by an older API version's charge beside a new one: only the new one moves tokens.
        deliver(StripeEvents.chargeRefundedListing(
                purchase,
                1500,
                StripeEvents.refund(purchase, "re_new", 1000, "succeeded"),
                StripeEvents.refund(purchase, "re_counted", 500, "succeeded")));
        assertThat(balance(fixture, purchase)).isEqualTo(125_000);
        assertThat(reload(fixture, purchase).status()).isEqualTo(PurchaseStatus.PARTIALLY_REFUNDED);
    }

    @Test
    void shouldMoveNothingWhenAFailureArrivesBeforeTheRefund() {
        Purchase purchase = creditedBooster();

        assertThat(deliver(StripeEvents.refundEvent("refund.failed", purchase, "re_early", 2000, "failed")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(StripeEvents.refundEvent("refund.created", purchase, "re_early", 2000, "succeeded")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(deliver(StripeEvents.chargeRefunded(purchase, 2000)))
                .isInstanceOf(PurchaseTransition.Unchanged.class);

        assertThat(balance(fixture, purchase)).isEqualTo(500_000);
        assertThat(reload(fixture, purchase).status()).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldGiveBackACanceledPendingRefund() {
        Purchase purchase = creditedBooster();
        deliver(StripeEvents.refundEvent("refund.created", purchase, "re_pending", 2000, "pending"));
        assertThat(balance(fixture, purchase)).isZero();
        assertThat(reload(fixture, purchase).status()).isEqualTo(PurchaseStatus.REFUNDED);

        // pending -> succeeded is no news; succeeded -> canceled gives everything back.
        assertThat(deliver(StripeEvents.refundEvent("refund.updated", purchase, "re_pending", 2000, "succeeded")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        deliver(StripeEvents.refundEvent("refund.updated", purchase, "re_pending", 2000, "canceled"));

        assertThat(balance(fixture, purchase)).isEqualTo(500_000);
        assertThat(reload(fixture, purchase).status()).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldGiveBackOnTheExpiringPurchasesOwnTerms() {
        fixture.service
                .catalog()
                .savePackage(new PackageDefinition(
                        "refund-30d",
                        "Thirty days",
                        "monthly",
                        30_000,
                        Money.of(300, "USD"),
                        "",
                        true,
                        9,
                        Optional.of(30)));
        Purchase purchase = fixture.pendingPurchaseWithIntent("refund-user-" + (++users), "refund-30d");
        deliver(fixture, StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 300, null));
        Instant lapses = fixture.service
                .ledger()
                .lots(purchase.userId())
                .get(0)
                .expiresAt()
                .orElseThrow();

        deliver(StripeEvents.refundEvent("refund.created", purchase, "re_terms", 300, "succeeded"));
        deliver(StripeEvents.refundEvent("refund.failed", purchase, "re_terms", 300, "failed"));

        assertThat(fixture.service.ledger().lots(purchase.userId()))
                .singleElement()
                .satisfies(lot -> {
                    assertThat(lot.source()).isEqualTo("refund_reversal");
                    assertThat(lot.remaining()).isEqualTo(30_000);
                    assertThat(lot.expiresAt()).contains(lapses);
                });
    }

    @Test
    void shouldGiveBackOnlyWhatTheRefundCouldTake() {
        BillingFixture strict = BillingFixture.create(RefundFailureTest.class, builder -> {
            configure(builder);
            builder.refundPolicy(RefundPolicy.REVERSE_AVAILABLE_ONLY);
        });
        strict.seed();
        Purchase purchase = strict.pendingPurchaseWithIntent("strict-refund-user", "booster-500k");
        deliver(strict, StripeEvents.paymentIntentEvent("payment_intent.succeeded", purchase, "succeeded", 2000, null));
        strict.service
                .ledger()
                .debit(Debit.of(purchase.userId(), 400_000, IdempotencyKey.of("spent"))
                        .withDescription("chat"));

        deliver(strict, StripeEvents.refundEvent("refund.created", purchase, "re_short", 2000, "succeeded"));
        assertThat(balance(strict, purchase)).isZero();
        assertThat(reload(strict, purchase).reversalShortfall()).isEqualTo(400_000);

        deliver(strict, StripeEvents.refundEvent("refund.failed", purchase, "re_short", 2000, "failed"));

        // It took 100,000 (the rest was spent): those come back, and the shortfall is forgotten.
        assertThat(balance(strict, purchase)).isEqualTo(100_000);
        Purchase after = reload(strict, purchase);
        assertThat(after.reversalShortfall()).isZero();
        assertThat(after.tokensReversed()).isZero();
        assertThat(after.status()).isEqualTo(PurchaseStatus.COMPLETED);
        strict.assertLedgerInvariants();
    }
}
