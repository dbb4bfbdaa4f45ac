package dev.tokenbilling.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.NewPurchase;
import dev.tokenbilling.store.PostingResult;
import dev.tokenbilling.store.ReservationRepository;
import dev.tokenbilling.store.WebhookEventRepository.NewWebhookEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BillingStore} must do, whatever it stores into. Subclass it, return a fresh,
 * empty store from {@link #createStore()}, and run it with your tests:
 *
 * <pre>{@code
 * class MyStoreContractTest extends AbstractBillingStoreContractTest {
 *     protected BillingStore createStore() { return MyStore.createEmpty(); }
 * }
 * }</pre>
 */
public abstract class AbstractBillingStoreContractTest {

    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

    private BillingStore store;
    private int users;

    /** A new store with no data in it. Called before each test. */
    protected abstract BillingStore createStore();

    @BeforeEach
    void createFreshStore() {
        store = createStore();
    }

    /** The store under test. */
    protected BillingStore store() {
        return store;
    }

    private UserId newUser() {
        return UserId.of("contract-" + (++users) + "-" + System.nanoTime());
    }

    private static LedgerPosting posting(UserId user, LedgerEntryKind kind, long tokens, String key) {
        return LedgerPosting.of(user, kind, tokens, key, "contract", NOW);
    }

    private LedgerEntry posted(PostingResult result) {
        assertThat(result).isInstanceOf(PostingResult.Posted.class);
        return ((PostingResult.Posted) result).entry();
    }

    @Test
    void shouldReportEmptyBalanceForUnknownUser() {
        UserId user = newUser();

        assertThat(store.ledger().balance(user)).isEqualTo(TokenBalance.empty(user));
        assertThat(store.ledger().history(user, Optional.empty(), 10)).isEmpty();
    }

    @Test
    void shouldCreditAndDebitWithRunningBalance() {
        UserId user = newUser();

        LedgerEntry credit = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "c-1")));
        LedgerEntry debit = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 300, "d-1")));

        assertThat(credit.amount()).isEqualTo(1_000);
        assertThat(credit.balanceAfter()).isEqualTo(1_000);
        assertThat(debit.amount()).isEqualTo(-300);
        assertThat(debit.balanceAfter()).isEqualTo(700);
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(700);
        assertThat(balance.totalGranted()).isEqualTo(1_000);
        assertThat(balance.totalUsed()).isEqualTo(300);
        assertThat(store.ledger().history(user, Optional.empty(), 10)).extracting(LedgerEntry::id).containsExactly(debit.id(), credit.id());
        assertThat(store.ledger().history(user, Optional.of(debit.id()), 10)).extracting(LedgerEntry::id).containsExactly(credit.id());
    }

    @Test
    void shouldAnswerRepeatedKeyWithTheOriginalEntry() {
        UserId user = newUser();
        LedgerEntry first = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "same")));

        PostingResult again = store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "same"));

        assertThat(again).isEqualTo(new PostingResult.Duplicate(first));
        assertThat(store.ledger().findByIdempotencyKey(user, "same")).contains(first);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(500);
    }

    @Test
    void shouldRefuseDebitBeyondAvailableUnlessAllowedNegative() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "c"));

        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 101, "d"))).isEqualTo(new PostingResult.Insufficient(100));
        assertThat(store.ledger().debit(posting(UserId.of("nobody-" + System.nanoTime()), LedgerEntryKind.USAGE, 1, "d")))
                .isEqualTo(new PostingResult.Insufficient(0));
        LedgerPosting reversal = new LedgerPosting(user, LedgerEntryKind.REFUND, 150, Optional.empty(), Optional.of("r"), "refund", NOW, true);
        assertThat(posted(store.ledger().debit(reversal)).balanceAfter()).isEqualTo(-50);
        assertThat(store.ledger().balance(user).debt()).isEqualTo(50);
        assertThat(store.ledger().balances(10, true)).extracting(TokenBalance::userId).contains(user);
    }

    @Test
    void shouldDebitExactlyOncePerKeyUnderRaces() throws Exception {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 10_000, "c"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<PostingResult>> racers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                racers.add(() -> store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "racing-key")));
            }
            long posted = 0;
            for (Future<PostingResult> result : pool.invokeAll(racers)) {
                posted += result.get() instanceof PostingResult.Posted ? 1 : 0;
            }
            assertThat(posted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.ledger().balance(user).balance()).isEqualTo(9_900);
    }

    @Test
    void shouldDebitBatchItemByItemInOrder() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "c"));

        List<PostingResult> results = store.ledger().debitAll(List.of(
                posting(user, LedgerEntryKind.USAGE, 60, "b-1"),
                posting(user, LedgerEntryKind.USAGE, 60, "b-2"),
                posting(user, LedgerEntryKind.USAGE, 60, "b-1"),
                posting(user, LedgerEntryKind.USAGE, 40, "b-3")));

        assertThat(results.get(0)).isInstanceOf(PostingResult.Posted.class);
        assertThat(results.get(1)).isEqualTo(new PostingResult.Insufficient(40));
        assertThat(results.get(2)).isInstanceOf(PostingResult.Duplicate.class);
        assertThat(results.get(3)).isInstanceOf(PostingResult.Posted.class);
        assertThat(store.ledger().balance(user).balance()).isZero();
    }

    @Test
    void shouldDrawLotsInOrderAndCloseThem() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "plain"));
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "first").withLot(LotTerms.DEFAULT.withPriority(-5)));
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "expiring")
                .withLot(LotTerms.expiringAt(NOW.plus(Duration.ofDays(1)))));

        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 150, "use"));

        assertThat(store.ledger().lots(user, true)).extracting(lot -> lot.remaining()).containsExactly(50L, 100L);
        assertThat(store.ledger().lapsedLots(NOW.plus(Duration.ofDays(2)), 100)).hasSize(1);
        long lotId = store.ledger().lapsedLots(NOW.plus(Duration.ofDays(2)), 100).get(0);
        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", NOW.plus(Duration.ofDays(2))))
                .hasValueSatisfying(entry -> {
                    assertThat(entry.amount()).isEqualTo(-50);
                    assertThat(entry.kind()).isEqualTo(LedgerEntryKind.EXPIRY);
                    assertThat(entry.balanceAfter()).isEqualTo(100);
                });
        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", NOW.plus(Duration.ofDays(2)))).isEmpty();
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
        assertThat(store.ledger().balance(user).totalExpired()).isEqualTo(50);
    }

    @Test
    void shouldHoldAndEndReservationsExactlyOnce() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "c"));

        var reserved = store.reservations().reserve(user, 400, "hold-1", "stream", NOW.plus(Duration.ofMinutes(5)), NOW);
        assertThat(reserved).isInstanceOf(ReservationRepository.ReserveResult.Reserved.class);
        long id = ((ReservationRepository.ReserveResult.Reserved) reserved).reservation().id();
        assertThat(store.reservations().reserve(user, 400, "hold-1", "stream", NOW.plus(Duration.ofMinutes(5)), NOW))
                .isInstanceOf(ReservationRepository.ReserveResult.Duplicate.class);
        assertThat(store.reservations().reserve(user, 601, "hold-2", "", NOW.plus(Duration.ofMinutes(5)), NOW))
                .isEqualTo(new ReservationRepository.ReserveResult.Insufficient(600));
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(400);

        var settled = store.reservations().finish(id, ReservationStatus.SETTLED, 250, "stream", NOW);
        var again = store.reservations().finish(id, ReservationStatus.SETTLED, 250, "stream", NOW);

        assertThat(settled.ended()).isTrue();
        assertThat(settled.entryId()).isPresent();
        assertThat(again.ended()).isFalse();
        assertThat(again.status()).isEqualTo(ReservationStatus.SETTLED);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(750);
        assertThat(store.ledger().balance(user).reserved()).isZero();
        assertThat(store.reservations().active(user)).isEmpty();
    }

    @Test
    void shouldExpireLapsedReservations() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "c"));
        store.reservations().reserve(user, 400, "hold", "", NOW.plus(Duration.ofMinutes(1)), NOW);

        assertThat(store.reservations().expire(NOW.plus(Duration.ofMinutes(2)), 10)).isEqualTo(1);
        assertThat(store.reservations().expire(NOW.plus(Duration.ofMinutes(2)), 10)).isZero();
        assertThat(store.ledger().balance(user).reserved()).isZero();
    }

    @Test
    void shouldCreateUpdateAndListPackagesInOrder() {
        String slug = "contract-" + System.nanoTime();
        TokenPackage created = store.packages().insert(new PackageDefinition(slug, "Contract", "test", 1_000, Money.of(100, "USD"), "", true, 1),
                NOW);
        TokenPackage updated = store.packages().update(created.id(),
                new PackageDefinition(slug, "Renamed", "test", 2_000, Money.of(200, "EUR"), "d", false, 2), NOW);
        TokenPackage synced = store.packages().updateStripeIds(created.id(), Optional.of("prod_1"), Optional.of("price_1"), NOW);

        assertThat(updated.name()).isEqualTo("Renamed");
        assertThat(updated.price()).isEqualTo(Money.of(200, "EUR"));
        assertThat(synced.stripePriceId()).contains("price_1");
        assertThat(store.packages().findBySlug(slug)).contains(synced);
        assertThat(store.packages().list(false)).extracting(TokenPackage::slug).doesNotContain(slug);
        assertThat(store.packages().list(true)).extracting(TokenPackage::slug).contains(slug);
    }

    @Test
    void shouldMovePurchasesOnlyThroughGuardedTransitions() {
        String slug = "contract-p-" + System.nanoTime();
        TokenPackage pack = store.packages().insert(new PackageDefinition(slug, "P", "p", 1_000, Money.of(100, "USD"), "", true, 1), NOW);
        UserId user = newUser();
        Purchase purchase = store.purchases().insert(new NewPurchase(user, pack.id(), slug, 1_000, pack.price(), Optional.empty(), NOW));

        assertThat(store.purchases().attachPaymentIntent(purchase.id(), "pi_contract_" + purchase.id(), NOW)).isTrue();
        assertThat(store.purchases().attachPaymentIntent(purchase.id(), "pi_other", NOW)).isFalse();
        assertThat(store.purchases().transition(purchase.id(), PurchaseStatus.OPEN, PurchaseStatus.COMPLETED, Optional.empty(),
                Optional.empty(), NOW)).isPresent();
        assertThat(store.purchases().transition(purchase.id(), PurchaseStatus.OPEN, PurchaseStatus.COMPLETED, Optional.empty(),
                Optional.empty(), NOW)).isEmpty();
        assertThat(store.purchases().findByPaymentIntentId("pi_contract_" + purchase.id())).hasValueSatisfying(found -> {
            assertThat(found.status()).isEqualTo(PurchaseStatus.COMPLETED);
            assertThat(found.completedAt()).contains(NOW);
        });
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).withStatus(PurchaseStatus.COMPLETED))).hasSize(1);
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).withStatus(PurchaseStatus.PENDING))).isEmpty();
    }

    @Test
    void shouldLeaseStuckPurchasesToOneWorkerAtATime() {
        String slug = "contract-s-" + System.nanoTime();
        TokenPackage pack = store.packages().insert(new PackageDefinition(slug, "S", "s", 1_000, Money.of(100, "USD"), "", true, 1), NOW);
        Purchase purchase = store.purchases().insert(new NewPurchase(newUser(), pack.id(), slug, 1_000, pack.price(), Optional.empty(),
                NOW.minus(Duration.ofHours(1))));

        List<Purchase> first = store.purchases().leaseStuck(NOW, NOW, 100, Duration.ofMinutes(1), Duration.ofHours(1));
        List<Purchase> second = store.purchases().leaseStuck(NOW, NOW, 100, Duration.ofMinutes(1), Duration.ofHours(1));

        assertThat(first).extracting(Purchase::id).contains(purchase.id());
        assertThat(second).extracting(Purchase::id).doesNotContain(purchase.id());
        assertThat(store.purchases().leaseStuck(NOW, NOW.plus(Duration.ofMinutes(2)), 100, Duration.ofMinutes(1), Duration.ofHours(1)))
                .extracting(Purchase::id).contains(purchase.id());
    }

    @Test
    void shouldStoreWebhookEventsOnceAndTrackTheirProcessing() {
        String id = "evt_contract_" + System.nanoTime();
        NewWebhookEvent event = new NewWebhookEvent(id, "payment_intent.succeeded", Optional.of("2026-01-01"), false, Optional.of("pi_1"),
                "{\"id\":\"" + id + "\"}", NOW);

        assertThat(store.webhookEvents().insertIfAbsent(event)).isTrue();
        assertThat(store.webhookEvents().insertIfAbsent(event)).isFalse();
        assertThat(store.webhookEvents().storedIds(Set.of(id, "evt_unknown"))).containsExactly(id);

        store.webhookEvents().markFailed(id, "boom", Optional.of(NOW.plusSeconds(30)), NOW);
        assertThat(store.webhookEvents().leaseRetryable(NOW, 10, 10, Duration.ofMinutes(5))).isEmpty();
        assertThat(store.webhookEvents().leaseRetryable(NOW.plusSeconds(31), 10, 10, Duration.ofMinutes(5)))
                .extracting(e -> e.id()).containsExactly(id);
        store.webhookEvents().markDone(id, WebhookEventStatus.PROCESSED, NOW);

        assertThat(store.webhookEvents().findById(id)).hasValueSatisfying(stored -> {
            assertThat(stored.status()).isEqualTo(WebhookEventStatus.PROCESSED);
            assertThat(stored.attempts()).isEqualTo(2);
            assertThat(stored.processingError()).isEmpty();
            assertThat(stored.processedAt().map(at -> at.truncatedTo(ChronoUnit.SECONDS))).contains(NOW);
        });
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(10).withStatus(WebhookEventStatus.PROCESSED).ofType("payment_intent.succeeded")))
                .extracting(e -> e.id()).contains(id);
    }

    @Test
    void shouldCommitOrRollBackTransactionsAsAWhole() {
        UserId user = newUser();

        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "in-tx"));
            throw new IllegalStateException("roll back");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store.ledger().balance(user).balance()).isZero();

        store.inTransaction(tx -> tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "in-tx")));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
    }
}
