package dev.tokenbilling.money;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.Settlement;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.support.StripeEvents;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller who chooses idempotency keys (a request id the end user controls) must never be able to
 * take the place of a posting the library makes for itself: each test first pre-claims the key the
 * library used to build for that posting, then checks the library's posting still happens in full.
 */
class KeySpaceTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final BillingFixture fixture = BillingFixture.create(
            KeySpaceTest.class,
            builder -> builder.clock(CLOCK)
                    .stripe(StripeApi.builder().secretKey("sk_test_unused").build())
                    .webhooks(WebhookVerification.builder()
                            .secret(StripeEvents.SECRET)
                            .build()));

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    @Test
    void shouldTakeBackARefundWhateverKeysTheUserUsedBefore() {
        fixture.seed();
        Purchase purchase = fixture.pendingPurchaseWithIntent("refund-attacker", "starter-100k");
        deliver(StripeEvents.paymentIntentEvent(
                "payment_intent.succeeded",
                purchase,
                "succeeded",
                purchase.amount().minorUnits(),
                null));
        // The key the refund's posting was built with before keys had their own space.
        fixture.service
                .ledger()
                .debit(Debit.of(purchase.userId(), 1, IdempotencyKey.of("refund-" + purchase.id() + "-100000")));

        deliver(StripeEvents.chargeRefunded(purchase, purchase.amount().minorUnits()));

        assertThat(fixture.service.ledger().balance(purchase.userId()).balance())
                .isEqualTo(-1);
        assertThat(fixture.service
                        .ledger()
                        .history(purchase.userId(), dev.tokenbilling.model.PageRequest.first(10))
                        .items())
                .extracting(entry -> entry.kind())
                .contains(LedgerEntryKind.REFUND);
    }

    @Test
    void shouldSettleAHoldInFullEvenWhenItsOldKeyWasTaken() {
        UserId user = UserId.of("hold-attacker");
        fixture.service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "start"));
        Reservation hold = fixture.service
                .reservations()
                .reserve(ReservationRequest.of(user, 500, Duration.ofMinutes(5), IdempotencyKey.of("req-1")));
        fixture.service.ledger().debit(Debit.of(user, 1, IdempotencyKey.of("reservation-" + hold.id())));

        Settlement settlement = fixture.service.reservations().settle(user, hold.id(), 400);

        assertThat(settlement.entry())
                .hasValueSatisfying(entry -> assertThat(entry.amount()).isEqualTo(-400));
        assertThat(fixture.service.ledger().balance(user).balance()).isEqualTo(599);
    }

    @Test
    void shouldExpireALotWhoseOldExpiryKeyWasTaken() {
        UserId user = UserId.of("expiry-attacker");
        var receipt = fixture.service
                .ledger()
                .grant(Grant.of(user, 300, IdempotencyKey.of("promo"), "promo")
                        .withTerms(LotTerms.expiringAt(CLOCK.instant().plus(Duration.ofDays(1)))));
        long lotId = receipt.lot().orElseThrow().id();
        fixture.service.ledger().grant(Grant.of(user, 100, IdempotencyKey.of("expiry-lot-" + lotId + "-300"), "bait"));

        CLOCK.advance(Duration.ofDays(2));
        var report = fixture.service.operations().expire(100);

        assertThat(report.tokensExpired()).isGreaterThanOrEqualTo(300);
        assertThat(fixture.service.ledger().balance(user).balance()).isEqualTo(100);
    }

    private void deliver(String payload) {
        fixture.billing.webhooks().handle(bytes(payload), sign(payload, StripeEvents.SECRET, CLOCK.instant()));
    }
}
