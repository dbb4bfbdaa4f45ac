package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.internal.PurchaseLedger;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
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

class PurchaseLedgerTest {

    private static BillingFixture fixture;
    private static PurchaseLedger purchases;

    @BeforeAll
    static void seed() {
        fixture = BillingFixture.create(PurchaseLedgerTest.class);
        fixture.seed();
        purchases = fixture.purchaseLedger();
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

        Optional<Purchase> completed = purchases.complete(purchase.id());
        Optional<Purchase> again = purchases.complete(purchase.id());

        assertThat(completed).hasValueSatisfying(p -> {
            assertThat(p.status()).isEqualTo(PurchaseStatus.COMPLETED);
            assertThat(p.completedAt()).isPresent();
        });
        assertThat(again).isEmpty();
        assertThat(fixture.service.balance(UserId.of("buyer-1")).totalPurchased()).isEqualTo(500_000);
        assertThat(fixture.service.ledger(UserId.of("buyer-1"), PageRequest.first(10)).items())
                .singleElement().satisfies(entry -> {
                    assertThat(entry.kind()).isEqualTo(LedgerEntryKind.PURCHASE);
                    assertThat(entry.purchaseId()).contains(purchase.id());
                });
    }

    @Test
    void shouldCreditOnceWhenCompletionsRace() throws Exception {
        Purchase purchase = fixture.pendingPurchase("buyer-race", "power-1m");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Optional<Purchase>>> racers = IntStream.range(0, 8)
                    .<Callable<Optional<Purchase>>>mapToObj(i -> () -> purchases.complete(purchase.id())).toList();
            long winners = 0;
            for (Future<Optional<Purchase>> result : pool.invokeAll(racers)) {
                winners += result.get().isPresent() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(fixture.service.balance(UserId.of("buyer-race")).balance()).isEqualTo(1_000_000);
    }

    @Test
    void shouldNeverCompleteCanceledPurchaseButCompleteFailedOne() {
        Purchase canceled = fixture.pendingPurchase("buyer-2", "starter-100k");
        Purchase failed = fixture.pendingPurchase("buyer-2", "starter-100k");

        purchases.markOpenStatus(canceled.id(), PurchaseStatus.CANCELED, Optional.empty(), Optional.empty());
        Optional<Purchase> failedNow = purchases.markOpenStatus(failed.id(), PurchaseStatus.FAILED, Optional.of("card_declined"),
                Optional.of("Your card was declined."));

        assertThat(failedNow).hasValueSatisfying(p -> assertThat(p.failureCode()).contains("card_declined"));
        assertThat(purchases.complete(canceled.id())).isEmpty();
        assertThat(purchases.complete(failed.id())).isPresent();
        // A late failure after success changes nothing.
        assertThat(purchases.markOpenStatus(failed.id(), PurchaseStatus.FAILED, Optional.of("late"), Optional.empty())).isEmpty();
        assertThat(fixture.service.purchase(failed.id())).hasValueSatisfying(p -> assertThat(p.status()).isEqualTo(PurchaseStatus.COMPLETED));
        assertThat(fixture.service.balance(UserId.of("buyer-2")).totalPurchased()).isEqualTo(100_000);
    }

    @Test
    void shouldQueryPurchasesByStatusUserAndAge() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        BillingFixture timed = BillingFixture.create(PurchaseLedgerTest.class, Clock.fixed(start, ZoneOffset.UTC));
        timed.seed();
        Purchase old = timed.pendingPurchase("q-user", "starter-100k");
        BillingFixture later = new BillingFixtureAt(timed, start.plus(Duration.ofHours(1))).fixture();
        Purchase recent = later.pendingPurchase("q-user", "booster-500k");
        Purchase other = later.pendingPurchase("q-other", "booster-500k");
        later.purchaseLedger().complete(other.id());

        assertThat(timed.service.purchases(PurchaseQuery.all(10).withStatus(PurchaseStatus.PENDING)))
                .extracting(Purchase::id).containsExactly(recent.id(), old.id());
        assertThat(timed.service.purchases(PurchaseQuery.all(10).forUser(UserId.of("q-other"))))
                .extracting(Purchase::id).containsExactly(other.id());
        assertThat(timed.service.purchases(PurchaseQuery.all(10).withStatus(PurchaseStatus.PENDING)
                .createdBefore(start.plus(Duration.ofMinutes(15))))).extracting(Purchase::id).containsExactly(old.id());
        assertThat(timed.service.purchases(PurchaseQuery.all(1))).hasSize(1);
        assertThat(timed.billing.store().purchases().findByPaymentIntentId("pi_missing")).isEmpty();
    }

    /** The same schema seen through a clock set later. */
    private record BillingFixtureAt(BillingFixture base, Instant at) {
        BillingFixture fixture() {
            return BillingFixture.reuse(base, Clock.fixed(at, ZoneOffset.UTC));
        }
    }
}
