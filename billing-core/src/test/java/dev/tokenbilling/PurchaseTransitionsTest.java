package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PurchaseTransitionsTest {

    private static BillingFixture fixture;

    @BeforeAll
    static void seed() {
        fixture = BillingFixture.create(PurchaseTransitionsTest.class);
        fixture.seed();
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    @Test
    void shouldCreditCompletedPurchaseOnce() {
        Purchase purchase = fixture.pendingPurchase("buyer-1", "booster-500k");
        assertThat(purchase.status()).isEqualTo(PurchaseStatus.PENDING);
        assertThat(purchase.amount().majorUnits()).isEqualByComparingTo("20.00");

        boolean completed = fixture.complete(purchase);
        boolean again = fixture.complete(purchase);

        assertThat(completed).isTrue();
        assertThat(again).isFalse();
        assertThat(fixture.service.purchases().find(purchase.userId(), purchase.id()))
                .hasValueSatisfying(p -> {
                    assertThat(p.status()).isEqualTo(PurchaseStatus.COMPLETED);
                    assertThat(p.completedAt()).isPresent();
                    assertThat(p.paymentIntentId()).contains("pi_test_" + purchase.id());
                    assertThat(p.stripeChargeId()).contains("ch_test_" + purchase.id());
                });
        assertThat(fixture.service.ledger().balance(UserId.of("buyer-1")).totalPurchased())
                .isEqualTo(500_000);
        assertThat(fixture.service
                        .ledger()
                        .history(UserId.of("buyer-1"), PageRequest.first(10))
                        .items())
                .singleElement()
                .satisfies(entry -> {
                    assertThat(entry.kind()).isEqualTo(LedgerEntryKind.PURCHASE);
                    assertThat(entry.purchaseId()).contains(purchase.id());
                });
    }

    @Test
    void shouldCreditOnceWhenCompletionsRace() throws Exception {
        Purchase purchase = fixture.pendingPurchase("buyer-race", "power-1m");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> racers = IntStream.range(0, 8)
                    .<Callable<Boolean>>mapToObj(i -> () -> fixture.complete(purchase))
                    .toList();
            long winners = 0;
            for (Future<Boolean> result : pool.invokeAll(racers)) {
                winners += result.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(fixture.service.ledger().balance(UserId.of("buyer-race")).balance())
                .isEqualTo(1_000_000);
    }

    @Test
    void shouldCreditAPaymentTakenAfterTheCancelAndCompleteAFailedOne() {
        Purchase canceled = fixture.pendingPurchase("buyer-2", "starter-100k");
        Purchase failed = fixture.pendingPurchase("buyer-2", "starter-100k");

        fixture.applyIntent(canceled, "canceled", Optional.empty());
        assertThat(fixture.applyIntent(failed, "requires_payment_method", Optional.of("card_declined")))
                .isEqualTo(new PurchaseTransition.Moved(failed.id(), PurchaseStatus.PENDING, PurchaseStatus.FAILED));

        assertThat(fixture.service.purchases().find(failed.userId(), failed.id()))
                .hasValueSatisfying(p -> assertThat(p.failureCode()).contains("card_declined"));
        // Stripe took the money after the purchase was canceled here: it ends as tokens, never in silence.
        assertThat(fixture.complete(canceled)).isTrue();
        assertThat(fixture.complete(canceled)).isFalse();
        assertThat(fixture.complete(failed)).isTrue();
        // A late failure after success changes nothing.
        assertThat(fixture.applyIntent(failed, "requires_payment_method", Optional.of("late")))
                .isInstanceOf(PurchaseTransition.Unchanged.class);
        assertThat(fixture.service.purchases().find(failed.userId(), failed.id()))
                .hasValueSatisfying(p -> assertThat(p.status()).isEqualTo(PurchaseStatus.COMPLETED));
        assertThat(fixture.service.ledger().balance(UserId.of("buyer-2")).totalPurchased())
                .isEqualTo(200_000);
    }

    @Test
    void shouldQueryPurchasesByStatusUserAndAge() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        BillingFixture timed = BillingFixture.create(PurchaseTransitionsTest.class, Clock.fixed(start, ZoneOffset.UTC));
        timed.seed();
        Purchase old = timed.pendingPurchase("q-user", "starter-100k");
        BillingFixture later = new BillingFixtureAt(timed, start.plus(Duration.ofHours(1))).fixture();
        Purchase recent = later.pendingPurchase("q-user", "booster-500k");
        Purchase other = later.pendingPurchase("q-other", "booster-500k");
        later.complete(other);

        assertThat(timed.service.purchases().query(PurchaseQuery.all(10).withStatus(PurchaseStatus.PENDING)))
                .extracting(Purchase::id)
                .containsExactly(recent.id(), old.id());
        assertThat(timed.service.purchases().query(PurchaseQuery.all(10).forUser(UserId.of("q-other"))))
                .extracting(Purchase::id)
                .containsExactly(other.id());
        assertThat(timed.service
                        .purchases()
                        .query(PurchaseQuery.all(10)
                                .withStatus(PurchaseStatus.PENDING)
                                .createdBefore(start.plus(Duration.ofMinutes(15)))))
                .extracting(Purchase::id)
                .containsExactly(old.id());
        assertThat(timed.service.purchases().query(PurchaseQuery.all(1))).hasSize(1);
        assertThat(timed.billing.store().purchases().findByPaymentIntentId("pi_missing"))
                .isEmpty();
    }

    /** The same schema seen through a clock set later. */
    private record BillingFixtureAt(BillingFixture base, Instant at) {
        BillingFixture fixture() {
            return BillingFixture.reuse(base, Clock.fixed(at, ZoneOffset.UTC));
        }
    }
}
