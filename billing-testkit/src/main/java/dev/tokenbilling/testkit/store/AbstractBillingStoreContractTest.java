package dev.tokenbilling.testkit.store;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseReversal;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.NewPurchase;
import dev.tokenbilling.store.PostingResult;
import dev.tokenbilling.store.ReservationRepository;
import dev.tokenbilling.store.ReservationRepository.FinishResult;
import dev.tokenbilling.store.ReservationRepository.ReserveResult;
import dev.tokenbilling.store.WebhookEventRepository.NewWebhookEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link BillingStore} must do, whatever it stores into: each guarantee written in the
 * Javadoc of {@code dev.tokenbilling.store}. Subclass it, return a fresh, empty store from
 * {@link #createStore()}, and run it with your tests:
 *
 * <pre>{@code
 * class MyStoreContractTest extends AbstractBillingStoreContractTest {
 *     protected BillingStore createStore() { return MyStore.createEmpty(); }
 * }
 * }</pre>
 *
 * <p>The store must be empty: some checks list or count across all users (balances, leases,
 * expiries, the audit). Concurrency checks start {@link #racingThreads()} threads at one moment
 * (a latch, never a sleep), so the store must serve that many callers at once (a pool of at least
 * that many connections). A lock check holds a lock in an open transaction and requires a second
 * caller to stay blocked for {@value #BLOCKED_MILLIS} ms, then to finish once the first transaction
 * ends; nothing waits longer than {@value #DONE_SECONDS} s. Next to each free race, an open
 * transaction pins the one interleaving that matters (the repeat arrives while the first is not yet
 * committed), so a guarantee never depends on how the threads happen to be scheduled.
 *
 * <p>A test marked {@code @Disabled("store bug: ...")} states a guarantee the PostgreSQL store of
 * billing-core does not give yet; it stays part of the contract.
 *
 * <h2>Checklist: which test covers which SPI method</h2>
 *
 * <pre>
 * BillingStore
 *   packages() purchases() ledger()
 *   webhookEvents() reservations()   every test
 *   inTransaction                    shouldCommitTransactionWorkAndReturnItsResult,
 *                                    shouldRollBackAllTransactionWorkAndRethrowWhatItThrew,
 *                                    shouldJoinTheTransactionWhenNested,
 *                                    shouldHideUncommittedWritesFromOtherCallers,
 *                                    shouldKeepATransactionUsableAfterRefusedPostings,
 *                                    shouldPostExactlyOncePerKeyUnderRacesInAndOutOfTransactions,
 *                                    every lock and lease test (locks end with the transaction)
 * LedgerRepository
 *   credit                           shouldCreditAndDebitWithRunningBalance,
 *                                    shouldAnswerRepeatedKeyWithTheOriginalEntry,
 *                                    shouldScopeIdempotencyKeysToTheUser,
 *                                    shouldPostUnkeyedPostingsEveryTime,
 *                                    shouldPostExactlyOncePerKeyUnderRacesInAndOutOfTransactions,
 *                                    shouldAnswerARepeatThatWaitedForTheFirstWithDuplicate,
 *                                    shouldPayDebtFirstWhenCrediting,
 *                                    shouldCreditAPurchaseOnce,
 *                                    shouldKeepLibraryReferencesApartFromCallerKeys
 *   debit                            shouldCreditAndDebitWithRunningBalance,
 *                                    shouldAnswerRepeatedKeyWithTheOriginalEntry,
 *                                    shouldRefuseDebitBeyondAvailableUnlessAllowedNegative,
 *                                    shouldKeepHeldTokensOutOfDebits,
 *                                    shouldDebitExactlyOncePerKeyUnderRaces,
 *                                    shouldAnswerARepeatThatWaitedForTheFirstWithDuplicate,
 *                                    shouldNeverLoseAnUpdateUnderConcurrentDebits,
 *                                    shouldKeepATransactionUsableAfterRefusedPostings,
 *                                    shouldKeepLibraryReferencesApartFromCallerKeys,
 *                                    shouldDrawLotsInOrderAndCloseThem
 *   debitAll                         shouldDebitBatchItemByItemInOrder,
 *                                    shouldAnswerUsedKeysOfABatchInATransactionAndKeepItUsable,
 *                                    shouldTakeOnlyKeyedUsageDebitsInBatches,
 *                                    shouldPostEachBatchKeyOnceUnderRaces,
 *                                    shouldAnswerARepeatThatWaitedForTheFirstWithDuplicate,
 *                                    shouldStampABatchWithOneTime
 *   balance                          shouldReportEmptyBalanceForUnknownUser, and most ledger tests
 *   findByIdempotencyKey             shouldAnswerRepeatedKeyWithTheOriginalEntry,
 *                                    shouldScopeIdempotencyKeysToTheUser,
 *                                    shouldKeepLibraryReferencesApartFromCallerKeys
 *   findEntry                        shouldFindOnlyTheUsersOwnEntries
 *   history                          shouldPageHistoryNewestFirst, shouldCreditAndDebitWithRunningBalance
 *   balances                         shouldListBalancesInOrder
 *   auditViolations                  shouldAuditTheLedgerInvariants,
 *                                    shouldNeverLoseAnUpdateUnderConcurrentDebits,
 *                                    shouldSettleHeldTokensEvenAfterAReversalTookThem
 *   lots                             shouldDrawLotsInOrderAndCloseThem, shouldPayDebtFirstWhenCrediting
 *   findLot                          shouldFindTheLotACreditOpened
 *   findLotByEntry                   shouldFindTheLotACreditOpened, shouldPayDebtFirstWhenCrediting
 *   lapsedLots                       shouldListLapsedLotsSoonestFirstSkippingFullyHeldUsers
 *   closeLot                         shouldDrawLotsInOrderAndCloseThem, shouldNeverCloseHeldTokens,
 *                                    shouldVoidALotAgainstItsGrant, shouldCloseALotOnceUnderRaces,
 *                                    shouldCloseOnlyByExpiryOrVoid, shouldLeaveAClosedLotAsItWas
 * PackageRepository
 *   list findBySlug findById
 *   insert update updateStripeIds    shouldCreateUpdateAndListPackagesInOrder,
 *                                    shouldRefuseDuplicateSlugsAndUnknownPackages
 *   findBySlugForUpdate              shouldHoldThePackageRowLockUntilTheTransactionEnds
 * PurchaseRepository
 *   insert findById                  shouldInsertPendingPurchases
 *   findByPaymentIntentId
 *   attachPaymentIntent              shouldAttachOnePaymentIntentOnce,
 *                                    shouldGiveAPaymentIntentToOnePurchaseOfAnyUser
 *   findByChargeId attachCharge      shouldFindPurchasesByTheirCharge
 *   countOpen(Instant)
 *   countOpen(UserId)                shouldCountOpenPurchases
 *   find                             shouldFindPurchasesNewestFirstWithFilters
 *   transition                       shouldMovePurchasesOnlyThroughGuardedTransitions,
 *                                    shouldTransitionExactlyOnceUnderRaces,
 *                                    shouldMakeWritersWaitForThePurchaseRowLock,
 *                                    shouldCompleteExactlyOnceUnderRaces
 *   complete                         shouldCompleteAnOpenPurchaseOnce, shouldCompleteExactlyOnceUnderRaces
 *   recordReversal                   shouldRecordReversalsUnderTheRowLock
 *   inSavepoint                      shouldUndoOnlyTheSavepointsWritesWhenItFails
 *   findReversal saveReversal        shouldRecordRefundsAndDisputesByTheirStripeId
 *   reversals                        shouldListAPurchasesReversalsOldestFirst
 *   findByIdForUpdate                shouldHoldThePurchaseRowLockFromFindByIdForUpdate,
 *                                    shouldMakeWritersWaitForThePurchaseRowLock,
 *                                    shouldRecordReversalsUnderTheRowLock
 *   findByPaymentIntentIdForUpdate   shouldHoldThePurchaseRowLockFromFindByPaymentIntentIdForUpdate
 *   leaseStuck                       shouldLeaseStuckPurchasesWithBackoff,
 *                                    shouldSkipPurchasesLockedByAnotherTransaction,
 *                                    shouldNeverLeaseOnePurchaseTwiceUnderRaces
 * ReservationRepository
 *   reserve                          shouldHoldAndEndReservationsExactlyOnce,
 *                                    shouldEndTheUsersLapsedHoldsBeforeReserving,
 *                                    shouldKeepHeldTokensOutOfDebits,
 *                                    shouldReserveExactlyOncePerKeyUnderRaces
 *   finish                           shouldHoldAndEndReservationsExactlyOnce,
 *                                    shouldSettleIntoOneUsageEntry,
 *                                    shouldSettleHeldTokensEvenAfterAReversalTookThem,
 *                                    shouldKeepLibraryReferencesApartFromCallerKeys,
 *                                    shouldEndAHoldPastItsExpiryAsExpired,
 *                                    shouldRefuseOverSettlingAndOtherEndings,
 *                                    shouldEndAHoldOnceUnderRaces,
 *                                    shouldFinishNothingForUnknownIds,
 *                                    shouldNotFinishAnotherUsersHold
 *   findById                         shouldFindOnlyTheUsersOwnHolds, and most reservation tests
 *   active                           shouldHoldAndEndReservationsExactlyOnce,
 *                                    shouldExpireLapsedHoldsSoonestFirst
 *   expire                           shouldExpireLapsedHoldsSoonestFirst, shouldExpireEachHoldOnceUnderRaces
 * WebhookEventRepository
 *   insertIfAbsent findById
 *   markDone markFailed storedIds    shouldStoreWebhookEventsOnceAndTrackTheirProcessing,
 *                                    shouldStoreAnEventOnceUnderRaces, shouldNotReopenADoneEvent
 *   find count                       shouldFindEventsNewestFirstWithFilters
 *   leaseRetryable                   shouldStoreWebhookEventsOnceAndTrackTheirProcessing,
 *                                    shouldLeaseOnlyDueRetryableEvents,
 *                                    shouldSkipEventsLockedByAnotherTransaction,
 *                                    shouldNeverLeaseOneEventTwiceUnderRaces
 *   findByIdForUpdate                shouldQueueDeliveriesOfOneEventOnItsRowLock
 *   insertDoneIfAbsent               shouldStoreAProcessedEventInOneWrite
 * </pre>
 */
@Timeout(120)
public abstract class AbstractBillingStoreContractTest {

    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    /** How long a caller that needs a held lock must stay blocked before the lock is released. */
    private static final long BLOCKED_MILLIS = 300;
    /** The longest anything that must happen may take: a released waiter, a racing thread. */
    private static final long DONE_SECONDS = 10;

    private static final long UNKNOWN_ID = Long.MAX_VALUE;

    private BillingStore store;
    private ExecutorService threads;
    private TokenPackage pack;
    private int counter;

    /** A new store with no data in it. Called before each test. */
    protected abstract BillingStore createStore();

    /** How many threads race in the concurrency checks; at least 2. The store must serve them at once. */
    protected int racingThreads() {
        return 8;
    }

    @BeforeEach
    void createFreshStore() {
        store = createStore();
        threads = Executors.newCachedThreadPool();
        pack = null;
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        // Interrupts the transactions a failed test left open, so that they roll back.
        threads.shutdownNow();
        threads.awaitTermination(DONE_SECONDS, SECONDS);
    }

    /** The store under test. */
    protected BillingStore store() {
        return store;
    }

    // ---------------------------------------------------------------------------------------------
    // BillingStore.inTransaction
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldCommitTransactionWorkAndReturnItsResult() {
        UserId user = newUser();
        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);

        LedgerEntry entry = store.inTransaction(tx -> {
            LedgerEntry credited = posted(tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "in-tx")));
            assertThat(tx.webhookEvents().insertIfAbsent(event)).isTrue();
            assertThat(tx.ledger().balance(user).balance())
                    .as("the transaction sees its own writes")
                    .isEqualTo(100);
            return credited;
        });

        assertThat(store.ledger().findEntry(user, entry.id())).contains(entry);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
        assertThat(store.webhookEvents().findById(event.id())).isPresent();
    }

    @Test
    void shouldRollBackAllTransactionWorkAndRethrowWhatItThrew() {
        UserId user = newUser();
        Purchase purchase = newPurchase(user, NOW);
        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);
        IllegalStateException failure = new IllegalStateException("roll back");

        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "in-tx"));
                    tx.purchases().complete(purchase.id(), Optional.of("ch_rolled_back"), NOW);
                    tx.webhookEvents().insertIfAbsent(event);
                    throw failure;
                }))
                .isSameAs(failure);

        assertThat(store.ledger().balance(user)).isEqualTo(TokenBalance.empty(user));
        assertThat(store.ledger().findByIdempotencyKey(user, "in-tx")).isEmpty();
        assertThat(store.purchases().findById(purchase.id())).contains(purchase);
        assertThat(store.webhookEvents().findById(event.id())).isEmpty();
        store.inTransaction(tx -> tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "in-tx")));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
    }

    @Test
    void shouldUndoOnlyTheSavepointsWritesWhenItFails() {
        UserId user = newUser();

        long balance = store.inTransaction(tx -> {
            tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "before"));
            assertThatThrownBy(() -> tx.inSavepoint(part -> {
                        part.ledger().credit(posting(user, LedgerEntryKind.GRANT, 50, "undone"));
                        throw new IllegalStateException("the part fails");
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the part fails");
            long kept = tx.inSavepoint(part -> posted(
                            part.ledger().credit(posting(user, LedgerEntryKind.GRANT, 10, "kept")))
                    .balanceAfter());
            assertThat(kept)
                    .as("the transaction stays usable after a failed part")
                    .isEqualTo(110);
            return tx.ledger().balance(user).balance();
        });

        assertThat(balance).isEqualTo(110);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(110);
        assertThat(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 50, "undone")))
                .as("the undone part's key was never used")
                .isInstanceOf(PostingResult.Posted.class);

        UserId other = newUser();
        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.inSavepoint(part -> part.ledger().credit(posting(other, LedgerEntryKind.GRANT, 50, "part")));
                    throw new IllegalStateException("the whole fails after the part succeeded");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.ledger().balance(other))
                .as("a part that succeeded rolls back with its transaction")
                .isEqualTo(TokenBalance.empty(other));
    }

    @Test
    void shouldJoinTheTransactionWhenNested() {
        UserId user = newUser();

        long balanceAfter = store.inTransaction(tx -> {
            tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "outer"));
            return tx.inTransaction(nested -> {
                assertThat(nested.ledger().balance(user).balance())
                        .as("the nested work sees the outer writes")
                        .isEqualTo(100);
                return posted(nested.ledger().credit(posting(user, LedgerEntryKind.GRANT, 50, "inner")))
                        .balanceAfter();
            });
        });
        assertThat(balanceAfter).isEqualTo(150);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(150);

        UserId other = newUser();
        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.inTransaction(
                            nested -> nested.ledger().credit(posting(other, LedgerEntryKind.GRANT, 50, "inner")));
                    throw new IllegalStateException("the outer work fails after the nested work returned");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.ledger().balance(other))
                .as("the nested work rolled back with the outer one")
                .isEqualTo(TokenBalance.empty(other));
    }

    @Test
    void shouldHideUncommittedWritesFromOtherCallers() throws Exception {
        UserId user = newUser();
        OpenTransaction<LedgerEntry> open =
                openTransaction(tx -> posted(tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "open"))));

        assertThat(promptly(() -> store.ledger().balance(user))).isEqualTo(TokenBalance.empty(user));
        assertThat(promptly(() -> store.ledger().findByIdempotencyKey(user, "open")))
                .isEmpty();
        assertThat(promptly(() -> store.ledger().history(user, Optional.empty(), 10)))
                .isEmpty();

        open.commit();
        assertThat(store.ledger().findByIdempotencyKey(user, "open")).contains(open.result());
    }

    @Test
    void shouldKeepATransactionUsableAfterRefusedPostings() throws Exception {
        UserId user = newUser();
        grant(user, 1_000);
        OpenTransaction<LedgerEntry> first =
                openTransaction(tx -> posted(tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "racing"))));

        // The second transaction's debit of the same key waits for the user's balance lock, then finds
        // the key used: it must come back as a duplicate without breaking its transaction.
        List<PostingResult> second = blockedUntilEnd(
                first,
                true,
                () -> store.inTransaction(tx -> List.of(
                        tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "racing")),
                        tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 1_000_000, "too-much")),
                        tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 200, "after")))));

        assertThat(second.get(0)).isEqualTo(new PostingResult.Duplicate(first.result()));
        assertThat(second.get(1)).isEqualTo(new PostingResult.Insufficient(900));
        assertThat(posted(second.get(2)).balanceAfter()).isEqualTo(700);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(700);
        assertThat(store.ledger().findByIdempotencyKey(user, "too-much")).isEmpty();
        assertRunningSum(user);
    }

    // ---------------------------------------------------------------------------------------------
    // LedgerRepository: postings
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldReportEmptyBalanceForUnknownUser() {
        UserId user = newUser();

        assertThat(store.ledger().balance(user)).isEqualTo(TokenBalance.empty(user));
        assertThat(store.ledger().history(user, Optional.empty(), 10)).isEmpty();
        assertThat(store.ledger().findByIdempotencyKey(user, "any")).isEmpty();
        assertThat(store.ledger().lots(user, false)).isEmpty();
    }

    @Test
    void shouldCreditAndDebitWithRunningBalance() {
        UserId user = newUser();

        LedgerEntry credit = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "c-1")));
        LedgerEntry debit = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 300, "d-1")));

        assertThat(credit)
                .isEqualTo(new LedgerEntry(
                        credit.id(),
                        user,
                        LedgerEntryKind.GRANT,
                        1_000,
                        1_000,
                        Optional.empty(),
                        Optional.of("c-1"),
                        "contract",
                        NOW));
        assertThat(debit)
                .isEqualTo(new LedgerEntry(
                        debit.id(),
                        user,
                        LedgerEntryKind.USAGE,
                        -300,
                        700,
                        Optional.empty(),
                        Optional.of("d-1"),
                        "contract",
                        NOW));
        assertThat(debit.id()).isGreaterThan(credit.id());
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(700);
        assertThat(balance.totalGranted()).isEqualTo(1_000);
        assertThat(balance.totalUsed()).isEqualTo(300);
        assertThat(balance.reserved()).isZero();
        assertThat(balance.debt()).isZero();
        assertThat(store.ledger().history(user, Optional.empty(), 10)).containsExactly(debit, credit);
        assertRunningSum(user);
    }

    @Test
    void shouldAnswerRepeatedKeyWithTheOriginalEntry() {
        UserId user = newUser();
        LedgerEntry first = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "same")));

        assertThat(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "same")))
                .isEqualTo(new PostingResult.Duplicate(first));
        assertThat(store.ledger().credit(posting(user, LedgerEntryKind.ADJUSTMENT, 900, "same")))
                .isEqualTo(new PostingResult.Duplicate(first));
        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "same")))
                .isEqualTo(new PostingResult.Duplicate(first));
        LedgerEntry used = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 500, "use-all")));
        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 500, "use-all")))
                .as("a used key is a duplicate even when the balance would not cover the repeat")
                .isEqualTo(new PostingResult.Duplicate(used));

        assertThat(store.ledger().findByIdempotencyKey(user, "same")).contains(first);
        assertThat(store.ledger().findByIdempotencyKey(user, "never-used")).isEmpty();
        assertThat(store.ledger().balance(user).balance()).isZero();
        assertThat(store.ledger().balance(user).totalAdjusted()).isZero();
        assertThat(store.ledger().history(user, Optional.empty(), 10)).containsExactly(used, first);
    }

    @Test
    void shouldScopeIdempotencyKeysToTheUser() {
        UserId alice = newUser();
        UserId bob = newUser();

        LedgerEntry ofAlice = posted(store.ledger().credit(posting(alice, LedgerEntryKind.GRANT, 100, "shared-key")));
        LedgerEntry ofBob = posted(store.ledger().credit(posting(bob, LedgerEntryKind.GRANT, 200, "shared-key")));

        assertThat(store.ledger().findByIdempotencyKey(alice, "shared-key")).contains(ofAlice);
        assertThat(store.ledger().findByIdempotencyKey(bob, "shared-key")).contains(ofBob);
        assertThat(store.ledger().findByIdempotencyKey(newUser(), "shared-key")).isEmpty();
        assertThat(store.ledger().balance(alice).balance()).isEqualTo(100);
        assertThat(store.ledger().balance(bob).balance()).isEqualTo(200);
    }

    @Test
    void shouldPostUnkeyedPostingsEveryTime() {
        UserId user = newUser();

        LedgerEntry first = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, null)));
        LedgerEntry second = posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, null)));
        LedgerEntry debit = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 50, null)));

        assertThat(first.idempotencyKey()).isEmpty();
        assertThat(Set.of(first.id(), second.id(), debit.id())).hasSize(3);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(150);
        assertRunningSum(user);
    }

    @Test
    void shouldPostExactlyOncePerKeyUnderRacesInAndOutOfTransactions() throws Exception {
        UserId user = newUser();
        LedgerPosting credit = posting(user, LedgerEntryKind.GRANT, 100, "racing-credit");

        List<PostingResult> results = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.ledger().credit(credit)
                        : store.inTransaction(tx -> tx.ledger().credit(credit)));

        LedgerEntry original = exactlyOnePosted(results);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
        assertThat(store.ledger().history(user, Optional.empty(), 100)).containsExactly(original);
    }

    @Test
    void shouldAnswerARepeatThatWaitedForTheFirstWithDuplicate() throws Exception {
        UserId user = newUser();
        OpenTransaction<LedgerEntry> credit =
                openTransaction(tx -> posted(tx.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "c"))));

        PostingResult repeatedCredit = blockedUntilEnd(
                credit, true, () -> store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 500, "c")));

        assertThat(repeatedCredit).isEqualTo(new PostingResult.Duplicate(credit.result()));
        OpenTransaction<LedgerEntry> debit =
                openTransaction(tx -> posted(tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "d"))));

        PostingResult repeatedDebit = blockedUntilEnd(
                debit, true, () -> store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "d")));

        assertThat(repeatedDebit).isEqualTo(new PostingResult.Duplicate(debit.result()));
        OpenTransaction<List<PostingResult>> batch =
                openTransaction(tx -> tx.ledger().debitAll(List.of(posting(user, LedgerEntryKind.USAGE, 50, "b"))));

        List<PostingResult> repeatedBatch = blockedUntilEnd(
                batch,
                true,
                () -> store.ledger()
                        .debitAll(List.of(
                                posting(user, LedgerEntryKind.USAGE, 50, "b"),
                                posting(user, LedgerEntryKind.USAGE, 50, "d"))));

        assertThat(repeatedBatch)
                .containsExactly(
                        new PostingResult.Duplicate(posted(batch.result().get(0))),
                        new PostingResult.Duplicate(debit.result()));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(350);
        assertRunningSum(user);
    }

    @Test
    void shouldDebitExactlyOncePerKeyUnderRaces() throws Exception {
        UserId user = newUser();
        grant(user, 10_000);
        LedgerPosting debit = posting(user, LedgerEntryKind.USAGE, 100, "racing-key");

        List<PostingResult> results = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.ledger().debit(debit)
                        : store.inTransaction(tx -> tx.ledger().debit(debit)));

        exactlyOnePosted(results);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(9_900);
        assertThat(store.ledger().history(user, Optional.empty(), 100)).hasSize(2);
        assertRunningSum(user);
    }

    @Test
    void shouldNeverLoseAnUpdateUnderConcurrentDebits() throws Exception {
        UserId user = newUser();
        grant(user, 1_000);
        int debits = 2 * racingThreads();

        List<List<PostingResult>> results = race(
                racingThreads(),
                i -> List.of(
                        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "use-" + i + "-a")),
                        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "use-" + i + "-b"))));

        List<PostingResult> all = results.stream().flatMap(List::stream).toList();
        long posted =
                all.stream().filter(PostingResult.Posted.class::isInstance).count();
        assertThat(posted).isEqualTo(Math.min(debits, 10));
        assertThat(all)
                .filteredOn(result -> !(result instanceof PostingResult.Posted))
                .allSatisfy(result -> assertThat(result).isInstanceOf(PostingResult.Insufficient.class));
        assertThat(all)
                .filteredOn(PostingResult.Posted.class::isInstance)
                .extracting(result -> ((PostingResult.Posted) result).entry().balanceAfter())
                .doesNotHaveDuplicates()
                .allSatisfy(after -> assertThat(after).isBetween(0L, 900L));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000 - 100 * posted);
        assertThat(store.ledger().balance(user).totalUsed()).isEqualTo(100 * posted);
        assertRunningSum(user);
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldRefuseDebitBeyondAvailableUnlessAllowedNegative() {
        UserId user = newUser();
        grant(user, 100);

        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 101, "d")))
                .isEqualTo(new PostingResult.Insufficient(100));
        assertThat(store.ledger().findByIdempotencyKey(user, "d"))
                .as("a refused debit leaves no entry")
                .isEmpty();
        assertThat(store.ledger().history(user, Optional.empty(), 10)).hasSize(1);
        UserId nobody = newUser();
        assertThat(store.ledger().debit(posting(nobody, LedgerEntryKind.USAGE, 1, "d")))
                .isEqualTo(new PostingResult.Insufficient(0));
        assertThat(store.ledger().debit(reversal(nobody, 1, "r")))
                .as("no balance to take from, even allowed negative")
                .isEqualTo(new PostingResult.Insufficient(0));
        assertThat(store.ledger().balance(nobody)).isEqualTo(TokenBalance.empty(nobody));

        LedgerEntry refund = posted(store.ledger().debit(reversal(user, 150, "r")));

        assertThat(refund.amount()).isEqualTo(-150);
        assertThat(refund.balanceAfter()).isEqualTo(-50);
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(-50);
        assertThat(balance.debt()).isEqualTo(50);
        assertThat(balance.totalReversed()).isEqualTo(150);
        assertThat(store.ledger().lots(user, true))
                .as("the lots are drained before debt arises")
                .isEmpty();
        assertThat(store.ledger().balances(10, true))
                .extracting(TokenBalance::userId)
                .contains(user);
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldKeepHeldTokensOutOfDebits() {
        UserId user = newUser();
        grant(user, 1_000);
        reserved(store.reservations().reserve(user, 400, "hold", "stream", NOW.plus(Duration.ofMinutes(5)), NOW));

        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 601, "too-much")))
                .isEqualTo(new PostingResult.Insufficient(600));
        assertThat(posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 600, "all-free")))
                        .balanceAfter())
                .isEqualTo(400);

        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.reserved()).isEqualTo(400);
        assertThat(balance.available()).isZero();
    }

    @Test
    void shouldPayDebtFirstWhenCrediting() {
        UserId user = newUser();
        grant(user, 100);
        posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "use")));
        posted(store.ledger().debit(reversal(user, 50, "refund")));

        LedgerEntry small = grant(user, 30);

        assertThat(small.balanceAfter()).isEqualTo(-20);
        assertThat(store.ledger().balance(user).debt()).isEqualTo(20);
        assertThat(store.ledger().findLotByEntry(user, small.id())).hasValueSatisfying(lot -> {
            assertThat(lot.amount()).isEqualTo(30);
            assertThat(lot.remaining()).isZero();
            assertThat(lot.closedAt()).as("a lot that only paid debt is closed").isPresent();
        });

        LedgerEntry large = grant(user, 100);

        assertThat(large.balanceAfter()).isEqualTo(80);
        assertThat(store.ledger().balance(user).debt()).isZero();
        assertThat(store.ledger().findLotByEntry(user, large.id())).hasValueSatisfying(lot -> {
            assertThat(lot.remaining()).isEqualTo(80);
            assertThat(lot.closedAt()).isEmpty();
        });
        assertThat(store.ledger().lots(user, true))
                .extracting(TokenLot::remaining)
                .containsExactly(80L);
        assertRunningSum(user);
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldCreditAPurchaseOnce() {
        UserId user = newUser();
        Purchase purchase = completedPurchase(user);
        LedgerPosting credit = purchaseCredit(purchase, "purchase-" + purchase.id());
        LedgerEntry entry = posted(store.ledger().credit(credit));

        assertThat(entry.purchaseId()).contains(purchase.id());
        assertThat(entry.kind()).isEqualTo(LedgerEntryKind.PURCHASE);
        assertThat(store.ledger().credit(credit)).isEqualTo(new PostingResult.Duplicate(entry));
        assertThatThrownBy(() -> store.ledger().credit(purchaseCredit(purchase, "another-key")))
                .as("a second purchase credit of one purchase")
                .isInstanceOf(RuntimeException.class);

        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(purchase.tokenAmount());
        assertThat(balance.totalPurchased()).isEqualTo(purchase.tokenAmount());
        assertThat(store.ledger().findByIdempotencyKey(user, "another-key")).isEmpty();
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldKeepLibraryReferencesApartFromCallerKeys() throws Exception {
        UserId user = newUser();
        grant(user, 1_000);
        Purchase purchase = completedPurchase(user);
        LedgerPosting refund = LedgerPosting.library(
                user, LedgerEntryKind.REFUND, 100, purchase.id(), "refund-1", "refund", NOW, true, LotTerms.DEFAULT);

        LedgerEntry original = posted(store.ledger().debit(refund));

        assertThat(original.purchaseId()).contains(purchase.id());
        assertThat(original.idempotencyKey()).isEmpty();
        assertThat(store.ledger().debit(refund)).isEqualTo(new PostingResult.Duplicate(original));
        LedgerEntry callers = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 10, "refund-1")));
        assertThat(store.ledger().findByIdempotencyKey(user, "refund-1")).contains(callers);
        assertThat(store.ledger().debit(refund))
                .as("still the library's own entry")
                .isEqualTo(new PostingResult.Duplicate(original));

        LedgerPosting dispute = LedgerPosting.library(
                user, LedgerEntryKind.DISPUTE, 200, purchase.id(), "dispute-1", "dispute", NOW, true, LotTerms.DEFAULT);
        exactlyOnePosted(race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.ledger().debit(dispute)
                        : store.inTransaction(tx -> tx.ledger().debit(dispute))));

        // A caller's key shaped like a reference the store might use for a settlement must not stop it.
        Reservation hold =
                reserved(store.reservations().reserve(user, 100, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 1, "reservation-" + hold.id())));
        FinishResult settled = store.reservations()
                .finish(user, hold.id(), ReservationStatus.SETTLED, 50, "", NOW)
                .result();

        assertThat(settled.entryId()).isPresent();
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000 - 100 - 10 - 200 - 1 - 50);
        assertThat(store.ledger().balance(user).totalReversed()).isEqualTo(300);
        assertRunningSum(user);
    }

    @Test
    void shouldSettleHeldTokensEvenAfterAReversalTookThem() {
        UserId user = newUser();
        grant(user, 100);
        Reservation hold =
                reserved(store.reservations().reserve(user, 100, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        posted(store.ledger().debit(reversal(user, 100, "refund")));

        FinishResult settled = store.reservations()
                .finish(user, hold.id(), ReservationStatus.SETTLED, 80, "", NOW)
                .result();

        assertThat(settled.ended()).isTrue();
        assertThat(store.ledger().findEntry(user, settled.entryId().orElseThrow()))
                .hasValueSatisfying(entry -> assertThat(entry.balanceAfter()).isEqualTo(-80));
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(-80);
        assertThat(balance.debt()).isEqualTo(80);
        assertThat(balance.reserved()).isZero();
        assertRunningSum(user);
        assertThat(store.ledger().auditViolations())
                .as("a settlement below zero is no violation")
                .isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // LedgerRepository: batches
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldDebitBatchItemByItemInOrder() {
        UserId alice = newUser();
        UserId bob = newUser();
        grant(alice, 100);
        grant(bob, 100);

        List<PostingResult> results = store.ledger()
                .debitAll(List.of(
                        LedgerPosting.of(alice, LedgerEntryKind.USAGE, 60, "b-1", "first", NOW),
                        LedgerPosting.of(bob, LedgerEntryKind.USAGE, 50, "b-1", "bob's first", NOW),
                        LedgerPosting.of(alice, LedgerEntryKind.USAGE, 60, "b-2", "second", NOW),
                        LedgerPosting.of(alice, LedgerEntryKind.USAGE, 60, "b-1", "first again", NOW),
                        LedgerPosting.of(alice, LedgerEntryKind.USAGE, 40, "b-3", "third", NOW),
                        LedgerPosting.of(bob, LedgerEntryKind.USAGE, 50, "b-2", "bob's second", NOW)));

        assertThat(results).hasSize(6);
        LedgerEntry first = posted(results.get(0));
        assertThat(first)
                .isEqualTo(new LedgerEntry(
                        first.id(),
                        alice,
                        LedgerEntryKind.USAGE,
                        -60,
                        40,
                        Optional.empty(),
                        Optional.of("b-1"),
                        "first",
                        NOW));
        assertThat(posted(results.get(1)).userId()).isEqualTo(bob);
        assertThat(results.get(2)).isEqualTo(new PostingResult.Insufficient(40));
        assertThat(results.get(3)).isEqualTo(new PostingResult.Duplicate(first));
        assertThat(posted(results.get(4)).balanceAfter()).isZero();
        assertThat(posted(results.get(5)).balanceAfter()).isZero();
        assertThat(posted(results.get(4)).id()).isGreaterThan(first.id());
        assertThat(store.ledger().balance(alice).balance()).isZero();
        assertThat(store.ledger().balance(bob).balance()).isZero();
        assertThat(store.ledger().balance(alice).totalUsed()).isEqualTo(100);
        assertThat(store.ledger().findByIdempotencyKey(alice, "b-2")).isEmpty();
        assertThat(store.ledger().debitAll(List.of())).isEmpty();
        assertRunningSum(alice);
        assertRunningSum(bob);
    }

    @Test
    void shouldAnswerUsedKeysOfABatchInATransactionAndKeepItUsable() {
        UserId user = newUser();
        grant(user, 1_000);
        LedgerEntry before = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "before")));

        // A batch repeating a key used before, inside the caller's transaction: its answer is a
        // duplicate, and the transaction goes on to its next posting and commits.
        List<PostingResult> results = store.inTransaction(tx -> {
            List<PostingResult> batch = new ArrayList<>(tx.ledger()
                    .debitAll(List.of(
                            posting(user, LedgerEntryKind.USAGE, 50, "new"),
                            posting(user, LedgerEntryKind.USAGE, 100, "before"))));
            batch.add(tx.ledger().debit(posting(user, LedgerEntryKind.USAGE, 25, "after")));
            return batch;
        });

        assertThat(posted(results.get(0)).balanceAfter()).isEqualTo(850);
        assertThat(results.get(1)).isEqualTo(new PostingResult.Duplicate(before));
        assertThat(posted(results.get(2)).balanceAfter()).isEqualTo(825);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(825);
        assertRunningSum(user);
    }

    @Test
    void shouldTakeOnlyKeyedUsageDebitsInBatches() {
        UserId user = newUser();
        grant(user, 1_000);
        LedgerPosting usage = posting(user, LedgerEntryKind.USAGE, 10, "fine");

        assertThatThrownBy(() ->
                        store.ledger().debitAll(List.of(usage, posting(user, LedgerEntryKind.GRANT, 10, "grant"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        store.ledger().debitAll(List.of(usage, posting(user, LedgerEntryKind.USAGE, 10, null))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.ledger()
                        .debitAll(List.of(
                                usage,
                                new LedgerPosting(
                                        user,
                                        LedgerEntryKind.USAGE,
                                        10,
                                        Optional.empty(),
                                        Optional.of("negative"),
                                        "",
                                        NOW,
                                        true))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000);
        assertThat(store.ledger().findByIdempotencyKey(user, "fine")).isEmpty();
    }

    @Test
    void shouldPostEachBatchKeyOnceUnderRaces() throws Exception {
        UserId user = newUser();
        grant(user, 10_000);
        List<LedgerPosting> batch = List.of(
                posting(user, LedgerEntryKind.USAGE, 100, "batch-a"),
                posting(user, LedgerEntryKind.USAGE, 200, "batch-b"));

        List<List<PostingResult>> results = race(racingThreads(), i -> {
            if (i % 2 == 0) {
                return store.ledger().debitAll(batch);
            }
            List<PostingResult> swapped = store.ledger().debitAll(List.of(batch.get(1), batch.get(0)));
            return List.of(swapped.get(1), swapped.get(0));
        });

        exactlyOnePosted(results.stream().map(result -> result.get(0)).toList());
        exactlyOnePosted(results.stream().map(result -> result.get(1)).toList());
        assertThat(store.ledger().balance(user).balance()).isEqualTo(9_700);
        assertRunningSum(user);
    }

    @Test
    void shouldStampABatchWithOneTime() {
        UserId user = newUser();
        grant(user, 1_000);
        Instant later = NOW.plus(Duration.ofHours(1));

        List<PostingResult> results = store.ledger()
                .debitAll(List.of(
                        LedgerPosting.of(user, LedgerEntryKind.USAGE, 10, "early", "", NOW),
                        LedgerPosting.of(user, LedgerEntryKind.USAGE, 10, "late", "", later)));

        // One batch, one transaction, one time: the first posting's.
        assertThat(posted(results.get(0)).createdAt()).isEqualTo(NOW);
        assertThat(posted(results.get(1)).createdAt()).isEqualTo(NOW);
    }

    // ---------------------------------------------------------------------------------------------
    // LedgerRepository: reads and the audit
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldFindOnlyTheUsersOwnEntries() {
        UserId user = newUser();
        LedgerEntry entry = grant(user, 100);

        assertThat(store.ledger().findEntry(user, entry.id())).contains(entry);
        assertThat(store.ledger().findEntry(newUser(), entry.id())).isEmpty();
        assertThat(store.ledger().findEntry(user, UNKNOWN_ID)).isEmpty();
    }

    @Test
    void shouldPageHistoryNewestFirst() {
        UserId user = newUser();
        UserId other = newUser();
        List<LedgerEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(grant(user, 10));
            grant(other, 10);
        }

        assertThat(store.ledger().history(user, Optional.empty(), 2)).containsExactly(entries.get(4), entries.get(3));
        assertThat(store.ledger().history(user, Optional.of(entries.get(3).id()), 2))
                .containsExactly(entries.get(2), entries.get(1));
        assertThat(store.ledger().history(user, Optional.of(entries.get(1).id()), 2))
                .containsExactly(entries.get(0));
        assertThat(store.ledger().history(user, Optional.of(entries.get(0).id()), 2))
                .isEmpty();
        LedgerEntry ofOther = store.ledger().history(other, Optional.empty(), 1).get(0);
        assertThat(store.ledger().history(user, Optional.of(ofOther.id()), 10))
                .as("another user's entry as beforeId")
                .isEmpty();
        assertThat(store.ledger().history(user, Optional.of(UNKNOWN_ID), 10)).isEmpty();
        assertThat(store.ledger().history(user, Optional.empty(), 100))
                .hasSize(5)
                .allSatisfy(e -> assertThat(e.userId()).isEqualTo(user));
    }

    @Test
    void shouldListBalancesInOrder() {
        UserId rich = newUser();
        UserId modest = newUser();
        UserId slightlyNegative = newUser();
        UserId veryNegative = newUser();
        grant(rich, 300);
        grant(modest, 100);
        grant(slightlyNegative, 10);
        posted(store.ledger().debit(reversal(slightlyNegative, 30, "r")));
        grant(veryNegative, 10);
        posted(store.ledger().debit(reversal(veryNegative, 60, "r")));
        Set<UserId> ours = Set.of(rich, modest, slightlyNegative, veryNegative);

        List<TokenBalance> all = store.ledger().balances(100, false);
        assertThat(all)
                .filteredOn(balance -> ours.contains(balance.userId()))
                .extracting(TokenBalance::userId)
                .containsExactly(rich, modest, slightlyNegative, veryNegative);
        assertThat(all).extracting(TokenBalance::balance).isSortedAccordingTo(Collections.reverseOrder());
        assertThat(all)
                .filteredOn(balance -> balance.userId().equals(rich))
                .containsExactly(store.ledger().balance(rich));
        assertThat(store.ledger().balances(2, false)).hasSize(2);

        List<TokenBalance> negative = store.ledger().balances(100, true);
        assertThat(negative)
                .extracting(TokenBalance::userId)
                .containsSubsequence(veryNegative, slightlyNegative)
                .doesNotContain(rich, modest);
        assertThat(negative)
                .extracting(TokenBalance::balance)
                .isSorted()
                .allSatisfy(balance -> assertThat(balance).isNegative());
        assertThat(store.ledger().balances(1, true)).hasSize(1);
    }

    @Test
    void shouldAuditTheLedgerInvariants() {
        UserId user = newUser();
        grant(user, 1_000);
        posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "use")));
        reserved(store.reservations().reserve(user, 200, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        Purchase credited = completedPurchase(user);
        posted(store.ledger().credit(purchaseCredit(credited, "purchase-" + credited.id())));
        assertThat(store.ledger().auditViolations()).isEmpty();
        TokenBalance before = store.ledger().balance(user);

        Purchase uncredited = completedPurchase(user);

        assertThat(store.ledger().auditViolations())
                .as("a completed purchase without its credit")
                .hasSize(1);
        assertThat(store.ledger().balance(user)).as("the audit is read-only").isEqualTo(before);
        posted(store.ledger().credit(purchaseCredit(uncredited, "purchase-" + uncredited.id())));
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // LedgerRepository: lots
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldDrawLotsInOrderAndCloseThem() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 100, "plain"));
        store.ledger()
                .credit(posting(user, LedgerEntryKind.GRANT, 100, "first").withLot(LotTerms.DEFAULT.withPriority(-5)));
        store.ledger()
                .credit(posting(user, LedgerEntryKind.GRANT, 100, "expiring")
                        .withLot(LotTerms.expiringAt(NOW.plus(Duration.ofDays(1)))));

        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 150, "use"));

        assertThat(store.ledger().lots(user, true))
                .extracting(TokenLot::remaining)
                .containsExactly(50L, 100L);
        assertThat(store.ledger().lots(user, false))
                .extracting(TokenLot::remaining)
                .containsExactly(50L, 100L, 0L);
        assertThat(store.ledger().lots(user, false).get(2).priority()).isEqualTo(-5);
        assertThat(store.ledger().lots(user, false).get(2).closedAt()).contains(NOW);
        assertThat(store.ledger().lapsedLots(NOW.plus(Duration.ofDays(2)), 100)).hasSize(1);
        long lotId =
                store.ledger().lapsedLots(NOW.plus(Duration.ofDays(2)), 100).get(0);
        Instant expiry = NOW.plus(Duration.ofDays(2));

        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", expiry))
                .hasValueSatisfying(entry -> {
                    assertThat(entry.amount()).isEqualTo(-50);
                    assertThat(entry.kind()).isEqualTo(LedgerEntryKind.EXPIRY);
                    assertThat(entry.balanceAfter()).isEqualTo(100);
                    assertThat(entry.createdAt()).isEqualTo(expiry);
                });
        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", expiry))
                .isEmpty();
        assertThat(store.ledger().findLot(lotId)).hasValueSatisfying(lot -> {
            assertThat(lot.remaining()).isZero();
            assertThat(lot.closedAt()).contains(expiry);
        });
        assertThat(store.ledger().lapsedLots(NOW.plus(Duration.ofDays(2)), 100)).isEmpty();
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
        assertThat(store.ledger().balance(user).totalExpired()).isEqualTo(50);
        assertRunningSum(user);
    }

    @Test
    void shouldFindTheLotACreditOpened() {
        UserId user = newUser();
        Instant expiresAt = NOW.plus(Duration.ofDays(10));
        LedgerEntry credit = posted(store.ledger()
                .credit(posting(user, LedgerEntryKind.GRANT, 100, "promo")
                        .withLot(new LotTerms(3, Optional.of(expiresAt)))));
        LedgerEntry debit = posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 10, "use")));
        Purchase purchase = completedPurchase(user);
        LedgerEntry purchased = posted(store.ledger().credit(purchaseCredit(purchase, "purchase")));

        TokenLot lot = store.ledger().findLotByEntry(user, credit.id()).orElseThrow();
        assertThat(lot.userId()).isEqualTo(user);
        assertThat(lot.source()).isEqualTo("grant");
        assertThat(lot.entryId()).contains(credit.id());
        assertThat(lot.purchaseId()).isEmpty();
        assertThat(lot.amount()).isEqualTo(100);
        assertThat(lot.remaining()).isEqualTo(90);
        assertThat(lot.priority()).isEqualTo(3);
        assertThat(lot.expiresAt()).contains(expiresAt);
        assertThat(lot.createdAt()).isEqualTo(NOW);
        assertThat(lot.closedAt()).isEmpty();
        assertThat(store.ledger().findLot(lot.id())).contains(lot);
        assertThat(store.ledger().findLotByEntry(user, purchased.id())).hasValueSatisfying(purchaseLot -> {
            assertThat(purchaseLot.source()).isEqualTo("purchase");
            assertThat(purchaseLot.purchaseId()).contains(purchase.id());
            assertThat(purchaseLot.remaining()).isEqualTo(purchase.tokenAmount());
        });

        assertThat(store.ledger().findLotByEntry(user, debit.id())).isEmpty();
        assertThat(store.ledger().findLotByEntry(newUser(), credit.id())).isEmpty();
        assertThat(store.ledger().findLotByEntry(user, UNKNOWN_ID)).isEmpty();
        assertThat(store.ledger().findLot(UNKNOWN_ID)).isEmpty();
    }

    @Test
    void shouldShowTheLotsAsBatchedDebitsLeftThem() {
        UserId user = newUser();
        LedgerEntry first = posted(store.ledger()
                .credit(posting(user, LedgerEntryKind.GRANT, 100, "first").withLot(LotTerms.DEFAULT.withPriority(-1))));
        LedgerEntry second = grant(user, 100);
        Instant later = NOW.plus(Duration.ofMinutes(5));

        store.ledger().debitAll(List.of(posting(user, LedgerEntryKind.USAGE, 70, "b-1")));
        store.ledger()
                .debitAll(List.of(
                        LedgerPosting.of(user, LedgerEntryKind.USAGE, 40, "b-2", "contract", later),
                        LedgerPosting.of(user, LedgerEntryKind.USAGE, 20, "b-3", "contract", later)));

        TokenLot emptied = store.ledger().findLotByEntry(user, first.id()).orElseThrow();
        assertThat(emptied.remaining()).isZero();
        assertThat(emptied.closedReason()).contains("used");
        assertThat(emptied.closedAt()).as("closed by the batch that emptied it").contains(later);
        assertThat(store.ledger().findLot(emptied.id())).contains(emptied);
        assertThat(store.ledger().lots(user, true))
                .extracting(TokenLot::entryId, TokenLot::remaining)
                .containsExactly(tuple(Optional.of(second.id()), 70L));
        assertThat(store.ledger().lots(user, false))
                .extracting(TokenLot::remaining)
                .containsExactly(70L, 0L);
        assertThat(store.ledger().closeLot(emptied.id(), LedgerEntryKind.VOID, "void", later))
                .as("a lot the batches emptied has nothing left to void")
                .isEmpty();
        assertThat(store.ledger().findLot(emptied.id())).contains(emptied);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(70);
        assertThat(store.ledger().auditViolations()).isEmpty();
        assertRunningSum(user);
    }

    @Test
    void shouldOpenANewLotAfterTheDrawsOfEarlierBatches() {
        UserId user = newUser();
        LedgerEntry old = grant(user, 100);
        store.ledger().debitAll(List.of(posting(user, LedgerEntryKind.USAGE, 60, "b-1")));

        LedgerEntry first = posted(store.ledger()
                .credit(posting(user, LedgerEntryKind.GRANT, 100, "first").withLot(LotTerms.DEFAULT.withPriority(-5))));

        assertThat(store.ledger().findLotByEntry(user, first.id()))
                .as("drawn first from now on, but not by the batch posted before it")
                .hasValueSatisfying(lot -> assertThat(lot.remaining()).isEqualTo(100));
        assertThat(store.ledger().findLotByEntry(user, old.id()))
                .hasValueSatisfying(lot -> assertThat(lot.remaining()).isEqualTo(40));
        store.ledger().debitAll(List.of(posting(user, LedgerEntryKind.USAGE, 30, "b-2")));
        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 10, "single"));
        assertThat(store.ledger().lots(user, true))
                .extracting(TokenLot::entryId, TokenLot::remaining)
                .containsExactly(tuple(Optional.of(first.id()), 60L), tuple(Optional.of(old.id()), 40L));
        assertThat(store.ledger().auditViolations()).isEmpty();
        assertRunningSum(user);
    }

    @Test
    void shouldRefundAPurchasesOwnLotAsBatchedDebitsLeftIt() {
        UserId user = newUser();
        LedgerEntry granted = grant(user, 100);
        Purchase purchase = completedPurchase(user);
        LedgerEntry bought = posted(store.ledger().credit(purchaseCredit(purchase, "purchase")));
        store.ledger().debitAll(List.of(posting(user, LedgerEntryKind.USAGE, 150, "b-1")));

        posted(store.ledger()
                .debit(LedgerPosting.library(
                        user,
                        LedgerEntryKind.REFUND,
                        purchase.tokenAmount(),
                        purchase.id(),
                        "refund-1",
                        "refund",
                        NOW,
                        true,
                        LotTerms.DEFAULT)));

        // The batch emptied the grant and took 50 of the purchase: the refund takes what is left of
        // the purchase's lot, and the 50 tokens already used become debt.
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(-50);
        assertThat(balance.debt()).isEqualTo(50);
        assertThat(store.ledger().findLotByEntry(user, granted.id()))
                .hasValueSatisfying(lot -> assertThat(lot.closedReason()).contains("used"));
        assertThat(store.ledger().findLotByEntry(user, bought.id()))
                .hasValueSatisfying(lot -> assertThat(lot.closedReason()).contains("reversed"));
        assertThat(store.ledger().lots(user, true)).isEmpty();
        assertThat(store.ledger().auditViolations()).isEmpty();
        assertRunningSum(user);
    }

    @Test
    void shouldListLapsedLotsSoonestFirstSkippingFullyHeldUsers() {
        UserId user = newUser();
        UserId held = newUser();
        Instant day1 = NOW.plus(Duration.ofDays(1));
        Instant day2 = NOW.plus(Duration.ofDays(2));
        long later = lotOf(
                user,
                posted(store.ledger()
                        .credit(posting(user, LedgerEntryKind.GRANT, 100, "later")
                                .withLot(LotTerms.expiringAt(day2)))));
        long sooner = lotOf(
                user,
                posted(store.ledger()
                        .credit(posting(user, LedgerEntryKind.GRANT, 100, "sooner")
                                .withLot(LotTerms.expiringAt(day1)))));
        grant(user, 100);
        long heldLot = lotOf(
                held,
                posted(store.ledger()
                        .credit(posting(held, LedgerEntryKind.GRANT, 100, "held")
                                .withLot(LotTerms.expiringAt(day1)))));
        Reservation hold =
                reserved(store.reservations().reserve(held, 100, "all", "", NOW.plus(Duration.ofDays(5)), NOW));

        assertThat(store.ledger().lapsedLots(NOW, 10)).isEmpty();
        assertThat(store.ledger().lapsedLots(day1, 10))
                .as("at the expiry itself")
                .containsExactly(sooner);
        assertThat(store.ledger().lapsedLots(day2.plusSeconds(1), 10)).containsExactly(sooner, later);
        assertThat(store.ledger().lapsedLots(day2.plusSeconds(1), 1)).containsExactly(sooner);

        store.reservations()
                .finish(held, hold.id(), ReservationStatus.RELEASED, 0, "", NOW)
                .result();

        // Ids grow with creation on one server, not across the nodes of a cluster (each node has its
        // own range): the order of the two lots of the same expiry is their ids' order.
        assertThat(store.ledger().lapsedLots(day2.plusSeconds(1), 10))
                .as("same expiry: by lot id")
                .containsExactly(Math.min(sooner, heldLot), Math.max(sooner, heldLot), later);
    }

    @Test
    void shouldNeverCloseHeldTokens() {
        UserId user = newUser();
        long lotId = lotOf(
                user,
                posted(store.ledger()
                        .credit(posting(user, LedgerEntryKind.GRANT, 100, "expiring")
                                .withLot(LotTerms.expiringAt(NOW.plus(Duration.ofDays(1)))))));
        Reservation hold =
                reserved(store.reservations().reserve(user, 60, "hold", "", NOW.plus(Duration.ofDays(5)), NOW));
        Instant expiry = NOW.plus(Duration.ofDays(2));

        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", expiry))
                .hasValueSatisfying(entry -> assertThat(entry.amount()).isEqualTo(-40));
        assertThat(store.ledger().findLot(lotId)).hasValueSatisfying(lot -> {
            assertThat(lot.remaining()).isEqualTo(60);
            assertThat(lot.closedAt()).as("a lot partly held stays open").isEmpty();
        });
        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", expiry))
                .as("all that is left is held")
                .isEmpty();
        assertThat(store.ledger().balance(user).balance()).isEqualTo(60);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(60);

        store.reservations()
                .finish(user, hold.id(), ReservationStatus.RELEASED, 0, "", NOW.plus(Duration.ofDays(1)))
                .result();

        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", expiry))
                .hasValueSatisfying(entry -> assertThat(entry.balanceAfter()).isZero());
        assertThat(store.ledger().findLot(lotId))
                .hasValueSatisfying(lot -> assertThat(lot.closedAt()).contains(expiry));
        assertThat(store.ledger().balance(user).totalExpired()).isEqualTo(100);
        assertRunningSum(user);
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldVoidALotAgainstItsGrant() {
        UserId user = newUser();
        long lotId = lotOf(user, grant(user, 100));
        posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 30, "use")));

        LedgerEntry voided = store.ledger()
                .closeLot(lotId, LedgerEntryKind.VOID, "voided", NOW)
                .orElseThrow();

        assertThat(voided.kind()).isEqualTo(LedgerEntryKind.VOID);
        assertThat(voided.amount()).isEqualTo(-70);
        assertThat(voided.description()).isEqualTo("voided");
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isZero();
        assertThat(balance.totalGranted()).isEqualTo(30);
        assertThat(balance.totalExpired()).isZero();
        assertThat(store.ledger().lots(user, true)).isEmpty();
        assertRunningSum(user);
    }

    @Test
    void shouldCloseALotOnceUnderRaces() throws Exception {
        UserId waiting = newUser();
        long waitedFor = lotOf(waiting, grant(waiting, 100));
        OpenTransaction<Optional<LedgerEntry>> closing =
                openTransaction(tx -> tx.ledger().closeLot(waitedFor, LedgerEntryKind.VOID, "", NOW));
        assertThat(closing.result()).isPresent();
        assertThat(blockedUntilEnd(
                        closing, true, () -> store.ledger().closeLot(waitedFor, LedgerEntryKind.VOID, "", NOW)))
                .isEmpty();
        assertThat(store.ledger().balance(waiting).balance()).isZero();

        UserId user = newUser();
        long lotId = lotOf(user, grant(user, 100));
        grant(user, 50);

        List<Optional<LedgerEntry>> results =
                race(racingThreads(), i -> store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", NOW));

        assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(50);
        assertThat(store.ledger().balance(user).totalExpired()).isEqualTo(100);
        assertRunningSum(user);
    }

    @Test
    void shouldCloseOnlyByExpiryOrVoid() {
        UserId user = newUser();
        long lotId = lotOf(user, grant(user, 100));

        assertThatThrownBy(() -> store.ledger().closeLot(lotId, LedgerEntryKind.USAGE, "", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.ledger().closeLot(UNKNOWN_ID, LedgerEntryKind.EXPIRY, "", NOW))
                .isEmpty();
        assertThat(store.ledger().balance(user).balance()).isEqualTo(100);
        assertThat(store.ledger().findLot(lotId).orElseThrow().remaining()).isEqualTo(100);
    }

    @Test
    void shouldLeaveAClosedLotAsItWas() {
        UserId user = newUser();
        long lotId = lotOf(
                user,
                posted(store.ledger()
                        .credit(posting(user, LedgerEntryKind.GRANT, 100, "expiring")
                                .withLot(LotTerms.expiringAt(NOW.plus(Duration.ofDays(1)))))));
        posted(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "use-all")));
        TokenLot usedUp = store.ledger().findLot(lotId).orElseThrow();

        assertThat(store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "expired", NOW.plus(Duration.ofDays(2))))
                .isEmpty();

        assertThat(store.ledger().findLot(lotId)).contains(usedUp);
    }

    @Test
    void shouldReturnTheHoldAndItsSettlementFromFinish() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "finish-returns"));
        Reservation hold = reserved(
                store.reservations().reserve(user, 300, "returns", "stream", NOW.plus(Duration.ofMinutes(5)), NOW));

        ReservationRepository.Finished settled =
                store.reservations().finish(user, hold.id(), ReservationStatus.SETTLED, 120, "", NOW);
        assertThat(settled.hold()).isEqualTo(store.reservations().findById(user, hold.id()));
        assertThat(settled.entry()).isPresent();
        assertThat(settled.entry().get().amount()).isEqualTo(-120);
        assertThat(settled.entry().get().description()).isEqualTo("stream");
        assertThat(settled.entry())
                .isEqualTo(store.ledger().findEntry(user, settled.entry().get().id()));

        ReservationRepository.Finished again =
                store.reservations().finish(user, hold.id(), ReservationStatus.RELEASED, 0, "", NOW);
        assertThat(again.result().ended()).isFalse();
        assertThat(again.hold()).isEqualTo(settled.hold());
        assertThat(again.entry()).isEqualTo(settled.entry());

        ReservationRepository.Finished unknown =
                store.reservations().finish(newUser(), hold.id(), ReservationStatus.RELEASED, 0, "", NOW);
        assertThat(unknown.hold()).isEmpty();
        assertThat(unknown.entry()).isEmpty();
    }

    @Test
    void shouldRefuseUsagePastTheMonthlyLimitInTheDebitItself() {
        UserId user = newUser();
        store.ledger().credit(posting(user, LedgerEntryKind.GRANT, 1_000, "limit-grant"));
        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 300, "before-limit"));
        store.ledger().setUsageLimit(user, Optional.of(500L), NOW);
        assertThat(store.ledger().usageLimit(user, NOW)).hasValueSatisfying(limit -> {
            assertThat(limit.tokensPerMonth()).isEqualTo(500);
            assertThat(limit.usedThisMonth()).isEqualTo(300);
            assertThat(limit.resetsAt()).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
        });

        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 300, "past-limit")))
                .isInstanceOfSatisfying(PostingResult.LimitReached.class, refused -> {
                    assertThat(refused.limit()).isEqualTo(500);
                    assertThat(refused.usedThisMonth()).isEqualTo(300);
                });
        assertThat(store.ledger().balance(user).balance()).isEqualTo(700);
        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 200, "up-to-limit")))
                .isInstanceOf(PostingResult.Posted.class);
        // Other debits (a correction, say) are not usage: the limit does not apply to them.
        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.ADJUSTMENT, 100, "correction")))
                .isInstanceOf(PostingResult.Posted.class);

        store.ledger().setUsageLimit(user, Optional.empty(), NOW);
        assertThat(store.ledger().usageLimit(user, NOW)).isEmpty();
        assertThat(store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 100, "no-limit")))
                .isInstanceOf(PostingResult.Posted.class);
    }

    // ---------------------------------------------------------------------------------------------
    // OutboxRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldLeaseEachUsersOldestPendingEventOnlyUntilItIsDelivered() {
        UserId first = newUser();
        UserId second = newUser();
        BillingEvent a1 = store.outbox().append(first, "test.one", "{\"n\":1}", NOW);
        BillingEvent a2 = store.outbox().append(first, "test.two", "{\"n\":2}", NOW);
        BillingEvent b1 = store.outbox().append(second, "test.one", "{}", NOW);
        assertThat(a1.delivered()).isFalse();
        assertThat(a2.id()).isGreaterThan(a1.id());

        Instant lease = NOW.plusSeconds(60);
        List<BillingEvent> leased = store.outbox().leaseDue(NOW, lease, 100);
        assertThat(leased)
                .extracting(BillingEvent::id)
                .contains(a1.id(), b1.id())
                .doesNotContain(a2.id());
        assertThat(leased)
                .filteredOn(event -> event.id() == a1.id())
                .singleElement()
                .satisfies(event -> {
                    assertThat(event.attempts()).isEqualTo(1);
                    assertThat(event.nextAttemptAt()).isEqualTo(lease);
                });
        assertThat(store.outbox().leaseDue(NOW, lease, 100))
                .as("leased events are not due")
                .isEmpty();

        store.outbox().markDelivered(first, a1.id(), NOW);
        assertThat(store.outbox().leaseDue(NOW, lease, 100))
                .extracting(BillingEvent::id)
                .containsExactly(a2.id());

        store.outbox().markFailed(first, a2.id(), "listener down", NOW.plusSeconds(30));
        assertThat(store.outbox().leaseDue(NOW.plusSeconds(29), lease, 100)).isEmpty();
        List<BillingEvent> pending = store.outbox().list(Optional.of(first), Optional.of(false), 10);
        assertThat(pending).extracting(BillingEvent::id).containsExactly(a2.id());
        assertThat(pending.get(0).lastError()).contains("listener down");
        assertThat(store.outbox().list(Optional.of(first), Optional.of(true), 10))
                .extracting(BillingEvent::id)
                .containsExactly(a1.id());

        assertThat(store.outbox().redeliver(first, a1.id(), NOW)).isTrue();
        assertThat(store.outbox().redeliver(second, a1.id(), NOW)).isFalse();
        assertThat(store.outbox().list(Optional.of(first), Optional.of(false), 10))
                .extracting(BillingEvent::id)
                .containsExactly(a2.id(), a1.id());
    }

    @Test
    void shouldLeaseAnEventToOneOfRacingCallers() throws Exception {
        UserId user = newUser();
        BillingEvent event = store.outbox().append(user, "test.race", "{}", NOW);
        List<List<BillingEvent>> leases =
                race(racingThreads(), i -> store.outbox().leaseDue(NOW, NOW.plusSeconds(60), 1_000));
        assertThat(leases.stream().flatMap(List::stream).filter(leased -> leased.id() == event.id()))
                .hasSize(1);
    }

    @Test
    void shouldKeepALowBalanceThresholdPerUser() {
        UserId user = newUser();
        assertThat(store.outbox().lowBalanceThreshold(user)).isEmpty();
        store.outbox().setLowBalanceThreshold(user, Optional.of(500L), NOW);
        assertThat(store.outbox().lowBalanceThreshold(user)).contains(500L);
        assertThat(store.ledger().balance(user).balance()).isZero();
        store.outbox().setLowBalanceThreshold(user, Optional.empty(), NOW);
        assertThat(store.outbox().lowBalanceThreshold(user)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // TierRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldCreateUpdateListAndFindTiers() {
        String slug = unique("tier");
        TierDefinition definition = TierDefinition.monthly(slug, "Tier", Money.of(900, "USD"), 300_000, "", 5)
                .withYearlyPrice(Money.of(9_000, "USD"))
                .withRolloverCap(50_000);
        SubscriptionTier created = store.tiers().insert(definition, NOW);
        assertThat(definition.matches(created)).isTrue();
        assertThat(created.stripeProductId()).isEmpty();
        assertThat(created.createdAt()).isEqualTo(NOW);
        assertThat(store.tiers().findBySlug(slug)).contains(created);
        assertThat(store.tiers().findById(created.id())).contains(created);
        assertThatThrownBy(() -> store.tiers().insert(definition, NOW)).isInstanceOf(RuntimeException.class);

        TierDefinition retired = new TierDefinition(
                slug, "Tier", Money.of(900, "USD"), Optional.empty(), 300_000, Optional.empty(), "", false, 5);
        SubscriptionTier updated = store.tiers().update(created.id(), retired, NOW.plusSeconds(1));
        assertThat(retired.matches(updated)).isTrue();
        assertThat(updated.createdAt()).isEqualTo(NOW);
        assertThat(store.tiers().list(false)).extracting(SubscriptionTier::slug).doesNotContain(slug);
        assertThat(store.tiers().list(true)).extracting(SubscriptionTier::slug).contains(slug);

        SubscriptionTier synced = store.tiers()
                .updateStripeIds(
                        created.id(),
                        Optional.of("prod_" + slug),
                        Optional.of("price_m_" + slug),
                        Optional.empty(),
                        NOW.plusSeconds(2));
        assertThat(synced.stripeMonthlyPriceId()).contains("price_m_" + slug);
        assertThat(retired.matches(synced)).isTrue();
        // By Product (a replaced price still belongs to it), else by either price.
        assertThat(store.tiers().findByStripeIds("prod_" + slug, "price_old")).contains(synced);
        assertThat(store.tiers().findByStripeIds(null, "price_m_" + slug)).contains(synced);
        assertThat(store.tiers().findByStripeIds("prod_unknown", "price_unknown"))
                .isEmpty();
        assertThat(store.tiers().findBySlug("no-such-tier")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // SubscriptionRepository
    // ---------------------------------------------------------------------------------------------

    private Subscription subscription(UserId user, String id, long tierId, SubscriptionStatus status, Instant changed) {
        return new Subscription(
                user,
                id,
                Optional.of("cus_" + user.value()),
                tierId,
                "",
                BillingInterval.MONTH,
                status,
                Optional.of(NOW),
                Optional.of(NOW.plus(Duration.ofDays(30))),
                false,
                Optional.empty(),
                Optional.empty(),
                changed,
                NOW,
                NOW);
    }

    @Test
    void shouldKeepTheNewestSnapshotOfASubscription() {
        SubscriptionTier tier = store.tiers()
                .insert(TierDefinition.monthly(unique("sub"), "Sub", Money.of(500, "USD"), 1_000, "", 0), NOW);
        UserId user = newUser();
        String id = unique("sub_");
        Subscription first = store.subscriptions()
                .save(subscription(user, id, tier.id(), SubscriptionStatus.ACTIVE, NOW.plusSeconds(10)));
        assertThat(first.status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(first.tierSlug()).isEqualTo(tier.slug());

        // A late, older snapshot changes nothing; an equal or newer one is applied.
        Subscription late = store.subscriptions()
                .save(subscription(user, id, tier.id(), SubscriptionStatus.INCOMPLETE, NOW.plusSeconds(5)));
        assertThat(late).isEqualTo(first);
        Subscription newer = store.subscriptions()
                .save(subscription(user, id, tier.id(), SubscriptionStatus.PAST_DUE, NOW.plusSeconds(20)));
        assertThat(newer.status()).isEqualTo(SubscriptionStatus.PAST_DUE);
        assertThat(newer.createdAt()).isEqualTo(first.createdAt());

        assertThat(store.subscriptions().find(user, id)).contains(newer);
        assertThat(store.subscriptions().find(newUser(), id)).isEmpty();
        assertThat(store.subscriptions().findByStripeId(id)).contains(newer);
        assertThat(store.subscriptions().forUser(user)).containsExactly(newer);
        assertThat(store.subscriptions().list(Optional.of(SubscriptionStatus.PAST_DUE), 1000))
                .contains(newer);
        assertThat(store.subscriptions().list(Optional.of(SubscriptionStatus.ACTIVE), 1000))
                .doesNotContain(newer);
        assertThat(store.subscriptions().listStalest(1000)).contains(newer);

        store.subscriptions().save(subscription(user, id, tier.id(), SubscriptionStatus.CANCELED, NOW.plusSeconds(30)));
        assertThat(store.subscriptions().listStalest(1000))
                .extracting(Subscription::stripeSubscriptionId)
                .doesNotContain(id);
    }

    @Test
    void shouldApplyTheNewestOfRacingSnapshots() throws Exception {
        SubscriptionTier tier = store.tiers()
                .insert(TierDefinition.monthly(unique("race"), "Race", Money.of(500, "USD"), 1_000, "", 0), NOW);
        UserId user = newUser();
        String id = unique("sub_race_");
        int racers = racingThreads();
        race(
                racers,
                i -> store.subscriptions()
                        .save(subscription(
                                user,
                                id,
                                tier.id(),
                                i == racers / 2 ? SubscriptionStatus.PAST_DUE : SubscriptionStatus.ACTIVE,
                                NOW.plusSeconds(i == racers / 2 ? 1_000 : i))));
        assertThat(store.subscriptions().find(user, id))
                .map(Subscription::status)
                .contains(SubscriptionStatus.PAST_DUE);
    }

    @Test
    void shouldRecordOneStripeCustomerPerUserWhateverRaces() throws Exception {
        UserId user = newUser();
        assertThat(store.subscriptions().customerOf(user)).isEmpty();
        List<String> recorded = race(racingThreads(), i -> store.subscriptions().saveCustomer(user, "cus_" + i, NOW));
        assertThat(recorded).containsOnly(recorded.get(0));
        assertThat(store.subscriptions().customerOf(user)).contains(recorded.get(0));
        assertThat(store.subscriptions().userOfCustomer(recorded.get(0))).contains(user);
        assertThat(store.subscriptions().saveCustomer(user, "cus_other", NOW)).isEqualTo(recorded.get(0));
        assertThat(store.subscriptions().userOfCustomer("cus_unknown")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // PackageRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldCreateUpdateAndListPackagesInOrder() {
        String slug = unique("contract");
        TokenPackage created = store.packages()
                .insert(
                        new PackageDefinition(
                                slug, "Contract", "test", 1_000, Money.of(100, "USD"), "", true, 2, Optional.of(30)),
                        NOW);
        Instant later = NOW.plusSeconds(60);

        assertThat(created)
                .isEqualTo(new TokenPackage(
                        created.id(),
                        slug,
                        "Contract",
                        "test",
                        1_000,
                        Money.of(100, "USD"),
                        "",
                        true,
                        2,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(30),
                        NOW,
                        NOW));
        assertThat(store.packages().findById(created.id())).contains(created);
        TokenPackage synced =
                store.packages().updateStripeIds(created.id(), Optional.of("prod_1"), Optional.of("price_1"), later);
        assertThat(synced.stripeProductId()).contains("prod_1");
        assertThat(synced.stripePriceId()).contains("price_1");
        assertThat(synced.updatedAt()).isEqualTo(later);
        assertThat(synced.name()).isEqualTo("Contract");

        Instant latest = later.plusSeconds(60);
        TokenPackage updated = store.packages()
                .update(
                        created.id(),
                        new PackageDefinition(slug, "Renamed", "test", 2_000, Money.of(200, "EUR"), "d", false, 1),
                        latest);

        assertThat(updated)
                .isEqualTo(new TokenPackage(
                        created.id(),
                        slug,
                        "Renamed",
                        "test",
                        2_000,
                        Money.of(200, "EUR"),
                        "d",
                        false,
                        1,
                        Optional.of("prod_1"),
                        Optional.of("price_1"),
                        Optional.empty(),
                        NOW,
                        latest));
        assertThat(store.packages().findBySlug(slug)).contains(updated);
        assertThat(store.packages().findBySlug("no-such-package")).isEmpty();
        assertThat(store.packages().findById(UNKNOWN_ID)).isEmpty();
        assertThat(store.packages().updateStripeIds(created.id(), Optional.empty(), Optional.empty(), latest))
                .satisfies(cleared -> {
                    assertThat(cleared.stripeProductId()).isEmpty();
                    assertThat(cleared.stripePriceId()).isEmpty();
                });

        TokenPackage second = store.packages()
                .insert(
                        new PackageDefinition(unique("second"), "Second", "test", 1, Money.of(100, "USD"), "", true, 1),
                        NOW);
        TokenPackage third = store.packages()
                .insert(
                        new PackageDefinition(unique("third"), "Third", "test", 1, Money.of(100, "USD"), "", true, 0),
                        NOW);
        Set<Long> ours = Set.of(created.id(), second.id(), third.id());
        assertThat(store.packages().list(true))
                .filteredOn(p -> ours.contains(p.id()))
                .extracting(TokenPackage::id)
                .containsExactly(third.id(), updated.id(), second.id());
        assertThat(store.packages().list(false))
                .filteredOn(p -> ours.contains(p.id()))
                .extracting(TokenPackage::id)
                .containsExactly(third.id(), second.id());
    }

    @Test
    void shouldRefuseDuplicateSlugsAndUnknownPackages() {
        String slug = unique("taken");
        PackageDefinition definition =
                new PackageDefinition(slug, "Taken", "test", 1_000, Money.of(100, "USD"), "", true, 0);
        TokenPackage existing = store.packages().insert(definition, NOW);

        assertThatThrownBy(() -> store.packages().insert(definition, NOW)).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> store.packages().update(UNKNOWN_ID, definition, NOW))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() ->
                        store.packages().updateStripeIds(UNKNOWN_ID, Optional.of("prod"), Optional.of("price"), NOW))
                .isInstanceOf(RuntimeException.class);
        assertThat(store.packages().list(true))
                .filteredOn(p -> p.slug().equals(slug))
                .containsExactly(existing);
    }

    @Test
    void shouldHoldThePackageRowLockUntilTheTransactionEnds() throws Exception {
        TokenPackage created = packageForPurchases();
        OpenTransaction<Optional<TokenPackage>> holder = openTransaction(tx -> {
            Optional<TokenPackage> locked = tx.packages().findBySlugForUpdate(created.slug());
            tx.packages()
                    .update(
                            created.id(),
                            new PackageDefinition(
                                    created.slug(),
                                    "Locked",
                                    "tokens",
                                    created.tokenAmount(),
                                    created.price(),
                                    "",
                                    true,
                                    0),
                            NOW);
            return locked;
        });
        assertThat(holder.result()).contains(created);

        Optional<TokenPackage> seen = blockedUntilEnd(
                holder, true, () -> store.inTransaction(tx -> tx.packages().findBySlugForUpdate(created.slug())));

        assertThat(seen).hasValueSatisfying(found -> assertThat(found.name()).isEqualTo("Locked"));
        Optional<TokenPackage> unknown =
                store.inTransaction(tx -> tx.packages().findBySlugForUpdate("no-such-package"));
        assertThat(unknown).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // PurchaseRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldInsertPendingPurchases() {
        UserId user = newUser();
        TokenPackage offered = packageForPurchases();

        Purchase purchase = store.purchases()
                .insert(new NewPurchase(
                        user, offered.id(), offered.slug(), 1_000, Money.of(500, "USD"), Optional.of("cus_1"), NOW));

        assertThat(purchase)
                .isEqualTo(new Purchase(
                        purchase.id(),
                        user,
                        offered.id(),
                        offered.slug(),
                        1_000,
                        Money.of(500, "USD"),
                        PurchaseStatus.PENDING,
                        Optional.empty(),
                        Optional.of("cus_1"),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        0,
                        0,
                        0,
                        0,
                        NOW,
                        NOW,
                        Optional.empty(),
                        Optional.empty()));
        assertThat(store.purchases().findById(purchase.id())).contains(purchase);
        assertThat(store.purchases().findById(UNKNOWN_ID)).isEmpty();
        assertThat(store.purchases().findByPaymentIntentId("pi_unknown")).isEmpty();
        assertThat(store.purchases().findByIdForUpdate(UNKNOWN_ID)).isEmpty();
        assertThat(store.purchases().findByPaymentIntentIdForUpdate("pi_unknown"))
                .isEmpty();
    }

    @Test
    void shouldAttachOnePaymentIntentOnce() throws Exception {
        Purchase purchase = newPurchase(newUser(), NOW);
        String paymentIntent = unique("pi");

        assertThat(store.purchases().attachPaymentIntent(purchase.id(), paymentIntent, NOW))
                .isTrue();
        assertThat(store.purchases().attachPaymentIntent(purchase.id(), paymentIntent, NOW))
                .isFalse();
        assertThat(store.purchases().attachPaymentIntent(purchase.id(), unique("pi"), NOW))
                .isFalse();
        assertThat(store.purchases().attachPaymentIntent(UNKNOWN_ID, unique("pi"), NOW))
                .isFalse();
        assertThat(store.purchases().findByPaymentIntentId(paymentIntent)).hasValueSatisfying(found -> {
            assertThat(found.id()).isEqualTo(purchase.id());
            assertThat(found.paymentIntentId()).contains(paymentIntent);
        });
        Purchase other = newPurchase(purchase.userId(), NOW);
        assertThat(store.purchases().attachPaymentIntent(other.id(), paymentIntent, NOW))
                .as("a PaymentIntent belongs to one purchase")
                .isFalse();
        assertThat(store.purchases().findById(other.id()).orElseThrow().paymentIntentId())
                .isEmpty();

        Purchase contested = newPurchase(newUser(), NOW);
        String firstIntent = unique("pi");
        String secondIntent = unique("pi");
        OpenTransaction<Boolean> attaching =
                openTransaction(tx -> tx.purchases().attachPaymentIntent(contested.id(), firstIntent, NOW));
        assertThat(blockedUntilEnd(
                        attaching,
                        true,
                        () -> store.purchases().attachPaymentIntent(contested.id(), secondIntent, NOW)))
                .isFalse();
        assertThat(store.purchases().findById(contested.id()).orElseThrow().paymentIntentId())
                .contains(firstIntent);

        String prefix = unique("pi-race");
        List<Boolean> attached =
                race(racingThreads(), i -> store.purchases().attachPaymentIntent(other.id(), prefix + "-" + i, NOW));

        assertThat(attached).containsOnlyOnce(true);
        int winner = attached.indexOf(true);
        assertThat(store.purchases().findById(other.id()).orElseThrow().paymentIntentId())
                .contains(prefix + "-" + winner);
    }

    @Test
    void shouldGiveAPaymentIntentToOnePurchaseOfAnyUser() {
        Purchase first = newPurchase(newUser(), NOW);
        Purchase second = newPurchase(newUser(), NOW);
        String paymentIntent = unique("pi");
        assertThat(store.purchases().attachPaymentIntent(first.id(), paymentIntent, NOW))
                .isTrue();

        assertThat(store.purchases().attachPaymentIntent(second.id(), paymentIntent, NOW))
                .isFalse();

        assertThat(store.purchases().findById(second.id()).orElseThrow().paymentIntentId())
                .isEmpty();
        assertThat(store.purchases().findByPaymentIntentId(paymentIntent))
                .map(Purchase::id)
                .contains(first.id());
    }

    @Test
    void shouldRecordRefundsAndDisputesByTheirStripeId() {
        Purchase purchase = newPurchase(newUser(), NOW);
        String disputeId = unique("dp");
        PurchaseReversal opened = new PurchaseReversal(
                purchase.userId(),
                disputeId,
                purchase.id(),
                PurchaseReversal.Kind.DISPUTE,
                "needs_response",
                250,
                100,
                NOW,
                NOW);

        assertThat(store.purchases().findReversal(purchase.userId(), disputeId)).isEmpty();
        store.inTransaction(tx -> {
            tx.purchases().findByIdForUpdate(purchase.id());
            tx.purchases().saveReversal(opened);
            return null;
        });
        assertThat(store.purchases().findReversal(purchase.userId(), disputeId)).contains(opened);

        PurchaseReversal won = opened.with("won", 0, NOW.plusSeconds(60));
        store.purchases().saveReversal(won);
        assertThat(store.purchases().findReversal(purchase.userId(), disputeId)).contains(won);
        assertThat(won.closed()).isTrue();
        assertThat(store.purchases().findReversal(newUser(), disputeId))
                .as("scoped to the user")
                .isEmpty();
    }

    @Test
    void shouldListAPurchasesReversalsOldestFirst() {
        Purchase purchase = newPurchase(newUser(), NOW);
        Purchase other = newPurchase(purchase.userId(), NOW);
        PurchaseReversal refund = new PurchaseReversal(
                purchase.userId(),
                unique("re"),
                purchase.id(),
                PurchaseReversal.Kind.REFUND,
                "succeeded",
                100,
                40,
                NOW,
                NOW);
        PurchaseReversal dispute = new PurchaseReversal(
                purchase.userId(),
                unique("dp"),
                purchase.id(),
                PurchaseReversal.Kind.DISPUTE,
                "needs_response",
                150,
                60,
                NOW.plusSeconds(1),
                NOW.plusSeconds(1));
        PurchaseReversal elsewhere = new PurchaseReversal(
                other.userId(), unique("re"), other.id(), PurchaseReversal.Kind.REFUND, "failed", 10, 0, NOW, NOW);
        store.purchases().saveReversal(dispute);
        store.purchases().saveReversal(refund);
        store.purchases().saveReversal(elsewhere);

        assertThat(store.purchases().reversals(purchase.userId(), purchase.id()))
                .containsExactly(refund, dispute);
        assertThat(refund.refundInEffect()).isTrue();
        assertThat(elsewhere.refundInEffect()).isFalse();
        assertThat(dispute.refundInEffect()).isFalse();
        assertThat(store.purchases().reversals(newUser(), purchase.id()))
                .as("scoped to the user")
                .isEmpty();
    }

    @Test
    void shouldFindPurchasesByTheirCharge() {
        Purchase purchase = newPurchase(newUser(), NOW);
        String charge = unique("ch");

        store.purchases().attachCharge(purchase.id(), charge, NOW);

        assertThat(store.purchases().findByChargeId(charge)).hasValueSatisfying(found -> {
            assertThat(found.id()).isEqualTo(purchase.id());
            assertThat(found.stripeChargeId()).contains(charge);
        });
        String replacement = unique("ch");
        store.purchases().attachCharge(purchase.id(), replacement, NOW);
        assertThat(store.purchases().findByChargeId(charge)).isEmpty();
        assertThat(store.purchases().findByChargeId(replacement))
                .map(Purchase::id)
                .contains(purchase.id());
        store.purchases().attachCharge(UNKNOWN_ID, unique("ch"), NOW);

        Purchase completed = newPurchase(newUser(), NOW);
        String paidBy = unique("ch");
        store.purchases().complete(completed.id(), Optional.of(paidBy), NOW);
        assertThat(store.purchases().findByChargeId(paidBy)).map(Purchase::id).contains(completed.id());
        assertThat(store.purchases().findByChargeId("ch_unknown")).isEmpty();
    }

    @Test
    void shouldCountOpenPurchases() {
        UserId user = newUser();
        UserId other = newUser();
        Instant early = NOW.minus(Duration.ofHours(3));
        newPurchase(user, early, PurchaseStatus.PENDING);
        newPurchase(user, early, PurchaseStatus.PROCESSING);
        newPurchase(user, NOW.minus(Duration.ofHours(1)), PurchaseStatus.REQUIRES_ACTION);
        newPurchase(user, NOW, PurchaseStatus.FAILED);
        newPurchase(user, early, PurchaseStatus.COMPLETED);
        newPurchase(user, early, PurchaseStatus.CANCELED);
        newPurchase(other, early, PurchaseStatus.PENDING);

        assertThat(store.purchases().countOpen(user)).isEqualTo(4);
        assertThat(store.purchases().countOpen(other)).isEqualTo(1);
        assertThat(store.purchases().countOpen(newUser())).isZero();
        assertThat(store.purchases().countOpen(NOW.plusSeconds(1))).isEqualTo(5);
        assertThat(store.purchases().countOpen(NOW))
                .as("created strictly before")
                .isEqualTo(4);
        assertThat(store.purchases().countOpen(NOW.minus(Duration.ofHours(2)))).isEqualTo(3);
        assertThat(store.purchases().countOpen(early)).isZero();
    }

    @Test
    void shouldFindPurchasesNewestFirstWithFilters() {
        UserId user = newUser();
        Purchase oldest = newPurchase(user, NOW.minus(Duration.ofHours(3)), PurchaseStatus.COMPLETED);
        Purchase middle = newPurchase(user, NOW.minus(Duration.ofHours(2)), PurchaseStatus.FAILED);
        Purchase newest = newPurchase(user, NOW.minus(Duration.ofHours(1)));
        newPurchase(newUser(), NOW);

        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user)))
                .extracting(Purchase::id)
                .containsExactly(newest.id(), middle.id(), oldest.id());
        assertThat(store.purchases().find(PurchaseQuery.all(2).forUser(user)))
                .extracting(Purchase::id)
                .containsExactly(newest.id(), middle.id());
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).createdBefore(middle.createdAt())))
                .extracting(Purchase::id)
                .containsExactly(oldest.id());
        assertThat(store.purchases()
                        .find(PurchaseQuery.all(10)
                                .forUser(user)
                                .withStatus(PurchaseStatus.PENDING, PurchaseStatus.COMPLETED)))
                .extracting(Purchase::id)
                .containsExactly(newest.id(), oldest.id());
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).withStatus(PurchaseStatus.REFUNDED)))
                .isEmpty();
        assertThat(store.purchases().find(PurchaseQuery.all(10)))
                .extracting(Purchase::createdAt)
                .isSortedAccordingTo(Collections.reverseOrder());
    }

    @Test
    void shouldMovePurchasesOnlyThroughGuardedTransitions() {
        UserId user = newUser();
        Purchase purchase = newPurchase(user, NOW);
        Instant failedAt = NOW.plusSeconds(10);
        Instant completedAt = NOW.plusSeconds(20);

        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                PurchaseStatus.OPEN,
                                PurchaseStatus.FAILED,
                                Optional.of("card_declined"),
                                Optional.of("Declined"),
                                failedAt))
                .hasValueSatisfying(failed -> {
                    assertThat(failed.status()).isEqualTo(PurchaseStatus.FAILED);
                    assertThat(failed.failureCode()).contains("card_declined");
                    assertThat(failed.failureMessage()).contains("Declined");
                    assertThat(failed.updatedAt()).isEqualTo(failedAt);
                    assertThat(failed.completedAt()).isEmpty();
                });
        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                Set.of(PurchaseStatus.PENDING),
                                PurchaseStatus.PROCESSING,
                                Optional.empty(),
                                Optional.empty(),
                                NOW))
                .as("not from a status outside 'from'")
                .isEmpty();
        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                PurchaseStatus.OPEN,
                                PurchaseStatus.COMPLETED,
                                Optional.empty(),
                                Optional.empty(),
                                completedAt))
                .hasValueSatisfying(completed -> {
                    assertThat(completed.failureCode())
                            .as("cleared when not given")
                            .isEmpty();
                    assertThat(completed.failureMessage()).isEmpty();
                    assertThat(completed.completedAt()).contains(completedAt);
                });
        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                PurchaseStatus.OPEN,
                                PurchaseStatus.COMPLETED,
                                Optional.empty(),
                                Optional.empty(),
                                NOW))
                .isEmpty();
        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                Set.of(PurchaseStatus.COMPLETED),
                                PurchaseStatus.DISPUTED,
                                Optional.empty(),
                                Optional.empty(),
                                NOW.plusSeconds(30)))
                .isPresent();
        assertThat(store.purchases()
                        .transition(
                                purchase.id(),
                                Set.of(PurchaseStatus.DISPUTED),
                                PurchaseStatus.COMPLETED,
                                Optional.empty(),
                                Optional.empty(),
                                NOW.plusSeconds(40)))
                .hasValueSatisfying(
                        won -> assertThat(won.completedAt()).as("kept").contains(completedAt));
        assertThat(store.purchases()
                        .transition(
                                UNKNOWN_ID,
                                PurchaseStatus.OPEN,
                                PurchaseStatus.COMPLETED,
                                Optional.empty(),
                                Optional.empty(),
                                NOW))
                .isEmpty();
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).withStatus(PurchaseStatus.COMPLETED)))
                .hasSize(1);
        assertThat(store.purchases().find(PurchaseQuery.all(10).forUser(user).withStatus(PurchaseStatus.PENDING)))
                .isEmpty();
    }

    @Test
    void shouldTransitionExactlyOnceUnderRaces() throws Exception {
        Purchase purchase = newPurchase(newUser(), NOW);

        List<Optional<Purchase>> results = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.purchases()
                                .transition(
                                        purchase.id(),
                                        Set.of(PurchaseStatus.PENDING),
                                        PurchaseStatus.CANCELED,
                                        Optional.empty(),
                                        Optional.empty(),
                                        NOW)
                        : store.inTransaction(tx -> tx.purchases()
                                .transition(
                                        purchase.id(),
                                        Set.of(PurchaseStatus.PENDING),
                                        PurchaseStatus.PROCESSING,
                                        Optional.empty(),
                                        Optional.empty(),
                                        NOW)));

        assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
        PurchaseStatus winner = results.stream()
                .flatMap(Optional::stream)
                .findFirst()
                .orElseThrow()
                .status();
        assertThat(store.purchases().findById(purchase.id()).orElseThrow().status())
                .isEqualTo(winner);
    }

    @Test
    void shouldCompleteAnOpenPurchaseOnce() {
        Purchase purchase = newPurchase(newUser(), NOW);
        store.purchases()
                .transition(
                        purchase.id(),
                        PurchaseStatus.OPEN,
                        PurchaseStatus.FAILED,
                        Optional.of("card_declined"),
                        Optional.of("Declined"),
                        NOW);
        String charge = unique("ch");
        Instant completedAt = NOW.plusSeconds(60);

        Purchase completed = store.purchases()
                .complete(purchase.id(), Optional.of(charge), completedAt)
                .orElseThrow();

        assertThat(completed.status()).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(completed.stripeChargeId()).contains(charge);
        assertThat(completed.failureCode()).isEmpty();
        assertThat(completed.failureMessage()).isEmpty();
        assertThat(completed.completedAt()).contains(completedAt);
        assertThat(completed.updatedAt()).isEqualTo(completedAt);
        assertThat(store.purchases().complete(purchase.id(), Optional.of(unique("ch")), NOW.plusSeconds(120)))
                .isEmpty();
        assertThat(store.purchases().findById(purchase.id())).contains(completed);

        Purchase charged = newPurchase(newUser(), NOW);
        store.purchases().attachCharge(charged.id(), charge + "-kept", NOW);
        assertThat(store.purchases().complete(charged.id(), Optional.empty(), NOW))
                .hasValueSatisfying(found -> assertThat(found.stripeChargeId())
                        .as("kept when no charge is given")
                        .contains(charge + "-kept"));
        // A payment Stripe took after the purchase was canceled still completes it.
        Purchase canceled = newPurchase(newUser(), NOW, PurchaseStatus.CANCELED);
        assertThat(store.purchases().complete(canceled.id(), Optional.empty(), NOW))
                .hasValueSatisfying(found -> assertThat(found.status()).isEqualTo(PurchaseStatus.COMPLETED));
        Purchase refunded = newPurchase(newUser(), NOW, PurchaseStatus.REFUNDED);
        assertThat(store.purchases().complete(refunded.id(), Optional.empty(), NOW))
                .isEmpty();
        assertThat(store.purchases().findById(refunded.id())).contains(refunded);
        assertThat(store.purchases().complete(UNKNOWN_ID, Optional.empty(), NOW))
                .isEmpty();
    }

    @Test
    void shouldCompleteExactlyOnceUnderRaces() throws Exception {
        Purchase contested = newPurchase(newUser(), NOW);
        OpenTransaction<Optional<Purchase>> aborted =
                openTransaction(tx -> tx.purchases().complete(contested.id(), Optional.empty(), NOW));
        assertThat(aborted.result()).isPresent();
        assertThat(blockedUntilEnd(
                        aborted, false, () -> store.purchases().complete(contested.id(), Optional.empty(), NOW)))
                .as("the waiting caller makes the move the first one rolled back")
                .isPresent();
        OpenTransaction<Optional<Purchase>> completing = openTransaction(tx -> tx.purchases()
                .transition(
                        contested.id(),
                        Set.of(PurchaseStatus.COMPLETED),
                        PurchaseStatus.REFUNDED,
                        Optional.empty(),
                        Optional.empty(),
                        NOW));
        assertThat(blockedUntilEnd(
                        completing,
                        true,
                        () -> store.purchases()
                                .transition(
                                        contested.id(),
                                        Set.of(PurchaseStatus.COMPLETED),
                                        PurchaseStatus.DISPUTED,
                                        Optional.empty(),
                                        Optional.empty(),
                                        NOW)))
                .isEmpty();
        assertThat(store.purchases().findById(contested.id()).orElseThrow().status())
                .isEqualTo(PurchaseStatus.REFUNDED);

        Purchase purchase = newPurchase(newUser(), NOW);
        String prefix = unique("ch-race");

        List<Optional<Purchase>> results = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.purchases().complete(purchase.id(), Optional.of(prefix + "-" + i), NOW)
                        : store.inTransaction(
                                tx -> tx.purchases().complete(purchase.id(), Optional.of(prefix + "-" + i), NOW)));

        assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
        Purchase winner = results.stream().flatMap(Optional::stream).findFirst().orElseThrow();
        assertThat(store.purchases().findById(purchase.id())).contains(winner);
    }

    @Test
    void shouldRecordReversalsUnderTheRowLock() {
        Purchase purchase = newPurchase(newUser(), NOW, PurchaseStatus.COMPLETED);
        Instant at = NOW.plusSeconds(60);

        Purchase refunded = store.inTransaction(tx -> {
            assertThat(tx.purchases().findByIdForUpdate(purchase.id())).contains(purchase);
            return tx.purchases().recordReversal(purchase.id(), PurchaseStatus.PARTIALLY_REFUNDED, 200, 400, 50, 0, at);
        });

        assertThat(refunded.status()).isEqualTo(PurchaseStatus.PARTIALLY_REFUNDED);
        assertThat(refunded.amountRefundedMinor()).isEqualTo(200);
        assertThat(refunded.tokensReversed()).isEqualTo(400);
        assertThat(refunded.reversalShortfall()).isEqualTo(50);
        assertThat(refunded.tokensDisputed()).isZero();
        assertThat(refunded.updatedAt()).isEqualTo(at);
        assertThat(refunded.completedAt()).isEqualTo(purchase.completedAt());
        assertThat(store.purchases().findById(purchase.id())).contains(refunded);
        Purchase disputed =
                store.purchases().recordReversal(purchase.id(), PurchaseStatus.DISPUTED, 200, 400, 50, 600, at);
        assertThat(disputed.tokensDisputed()).isEqualTo(600);
        assertThat(disputed.tokensRemaining()).isZero();
        assertThatThrownBy(() -> store.purchases().recordReversal(UNKNOWN_ID, PurchaseStatus.REFUNDED, 1, 1, 0, 0, at))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void shouldHoldThePurchaseRowLockFromFindByIdForUpdate() throws Exception {
        Purchase purchase = newPurchase(newUser(), NOW);
        OpenTransaction<Optional<Purchase>> holder = openTransaction(tx -> {
            Optional<Purchase> locked = tx.purchases().findByIdForUpdate(purchase.id());
            tx.purchases()
                    .transition(
                            purchase.id(),
                            Set.of(PurchaseStatus.PENDING),
                            PurchaseStatus.PROCESSING,
                            Optional.empty(),
                            Optional.empty(),
                            NOW);
            return locked;
        });
        assertThat(holder.result()).contains(purchase);

        Optional<Purchase> seen = blockedUntilEnd(
                holder, true, () -> store.inTransaction(tx -> tx.purchases().findByIdForUpdate(purchase.id())));

        assertThat(seen).hasValueSatisfying(found -> assertThat(found.status()).isEqualTo(PurchaseStatus.PROCESSING));
    }

    @Test
    void shouldHoldThePurchaseRowLockFromFindByPaymentIntentIdForUpdate() throws Exception {
        Purchase purchase = newPurchase(newUser(), NOW);
        String paymentIntent = unique("pi");
        store.purchases().attachPaymentIntent(purchase.id(), paymentIntent, NOW);
        OpenTransaction<Optional<Purchase>> holder = openTransaction(tx -> {
            Optional<Purchase> locked = tx.purchases().findByPaymentIntentIdForUpdate(paymentIntent);
            tx.purchases().complete(purchase.id(), Optional.of("ch_locked"), NOW);
            return locked;
        });
        assertThat(holder.result())
                .hasValueSatisfying(found -> assertThat(found.id()).isEqualTo(purchase.id()));

        Optional<Purchase> seen = blockedUntilEnd(
                holder,
                true,
                () -> store.inTransaction(tx -> tx.purchases().findByPaymentIntentIdForUpdate(paymentIntent)));

        assertThat(seen).hasValueSatisfying(found -> {
            assertThat(found.status()).isEqualTo(PurchaseStatus.COMPLETED);
            assertThat(found.stripeChargeId()).contains("ch_locked");
        });
    }

    @Test
    void shouldMakeWritersWaitForThePurchaseRowLock() throws Exception {
        Purchase purchase = newPurchase(newUser(), NOW, PurchaseStatus.COMPLETED);
        OpenTransaction<Purchase> holder = openTransaction(tx -> {
            tx.purchases().findByIdForUpdate(purchase.id());
            return tx.purchases().recordReversal(purchase.id(), PurchaseStatus.DISPUTED, 0, 0, 0, 1_000, NOW);
        });

        Optional<Purchase> refunded = blockedUntilEnd(
                holder,
                true,
                () -> store.purchases()
                        .transition(
                                purchase.id(),
                                Set.of(PurchaseStatus.COMPLETED),
                                PurchaseStatus.REFUNDED,
                                Optional.empty(),
                                Optional.empty(),
                                NOW));

        assertThat(refunded)
                .as("the guard is checked against what the lock holder committed")
                .isEmpty();
        assertThat(store.purchases().findById(purchase.id()).orElseThrow().status())
                .isEqualTo(PurchaseStatus.DISPUTED);
    }

    @Test
    void shouldLeaseStuckPurchasesWithBackoff() {
        UserId user = newUser();
        Purchase stuck = newPurchase(user, NOW.minus(Duration.ofHours(2)));
        Purchase younger = newPurchase(user, NOW.minus(Duration.ofHours(1)), PurchaseStatus.REQUIRES_ACTION);
        newPurchase(user, NOW.minus(Duration.ofHours(3)), PurchaseStatus.COMPLETED);
        newPurchase(user, NOW.minus(Duration.ofHours(3)), PurchaseStatus.CANCELED);
        newPurchase(user, NOW, PurchaseStatus.PENDING);
        Duration base = Duration.ofMinutes(1);
        Duration max = Duration.ofMinutes(3);

        assertThat(store.purchases().leaseStuck(NOW, NOW, 1, base, max))
                .as("oldest first")
                .containsExactly(stuck);
        assertThat(store.purchases().leaseStuck(NOW, NOW, 10, base, max))
                .as("open, created before, due")
                .extracting(Purchase::id)
                .containsExactly(younger.id());
        assertThat(store.purchases().leaseStuck(NOW, NOW, 10, base, max)).isEmpty();

        // stuck: leased at NOW, next check after base; then 2 x base; then capped at max.
        Instant second = NOW.plus(base);
        assertThat(leasedIds(NOW, second.minusSeconds(1), base, max)).doesNotContain(stuck.id());
        assertThat(leasedIds(NOW, second, base, max)).contains(stuck.id());
        Instant third = second.plus(base.multipliedBy(2));
        assertThat(leasedIds(NOW, third.minusSeconds(1), base, max)).doesNotContain(stuck.id());
        assertThat(leasedIds(NOW, third, base, max)).contains(stuck.id());
        Instant fourth = third.plus(max);
        assertThat(leasedIds(NOW, fourth.minusSeconds(1), base, max)).doesNotContain(stuck.id());
        assertThat(leasedIds(NOW, fourth, base, max)).contains(stuck.id());
        assertThat(store.purchases().findById(stuck.id()).orElseThrow().status())
                .isEqualTo(PurchaseStatus.PENDING);
    }

    @Test
    void shouldSkipPurchasesLockedByAnotherTransaction() throws Exception {
        UserId user = newUser();
        Purchase oldest = newPurchase(user, NOW.minus(Duration.ofHours(3)));
        Purchase locked = newPurchase(user, NOW.minus(Duration.ofHours(2)));
        Purchase free = newPurchase(user, NOW.minus(Duration.ofHours(1)));
        Duration base = Duration.ofMinutes(1);
        OpenTransaction<List<Purchase>> lease =
                openTransaction(tx -> tx.purchases().leaseStuck(NOW, NOW, 1, base, base));
        assertThat(lease.result()).extracting(Purchase::id).containsExactly(oldest.id());
        OpenTransaction<Optional<Purchase>> lock =
                openTransaction(tx -> tx.purchases().findByIdForUpdate(locked.id()));

        assertThat(promptly(() -> store.purchases().leaseStuck(NOW, NOW, 10, base, base)))
                .as("skips locked rows without waiting")
                .extracting(Purchase::id)
                .containsExactly(free.id());

        lease.commit();
        lock.commit();
        assertThat(store.purchases().leaseStuck(NOW, NOW, 10, base, base))
                .extracting(Purchase::id)
                .containsExactly(locked.id());
    }

    @Test
    void shouldNeverLeaseOnePurchaseTwiceUnderRaces() throws Exception {
        UserId user = newUser();
        Set<Long> due = new HashSet<>();
        for (int i = 0; i < 3 * racingThreads(); i++) {
            due.add(newPurchase(user, NOW.minus(Duration.ofMinutes(10 + i))).id());
        }
        Duration base = Duration.ofMinutes(1);

        List<List<Purchase>> leases = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.purchases().leaseStuck(NOW, NOW, 2, base, base)
                        : store.inTransaction(tx -> tx.purchases().leaseStuck(NOW, NOW, 2, base, base)));

        List<Long> leased =
                leases.stream().flatMap(List::stream).map(Purchase::id).toList();
        assertThat(leased).doesNotHaveDuplicates().isSubsetOf(due);
        List<Long> rest = store.purchases().leaseStuck(NOW, NOW, 1_000, base, base).stream()
                .map(Purchase::id)
                .toList();
        assertThat(rest).doesNotContainAnyElementsOf(leased);
        assertThat(leased.size() + rest.size()).isEqualTo(due.size());
    }

    // ---------------------------------------------------------------------------------------------
    // ReservationRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseAHoldThatWouldTakeTheMonthPastTheUsageLimitCountingTheActiveHolds() {
        UserId user = newUser();
        grant(user, 1_000);
        store.ledger().debit(posting(user, LedgerEntryKind.USAGE, 200, "used-before"));
        store.ledger().setUsageLimit(user, Optional.of(600L), NOW);
        Instant expiresAt = NOW.plus(Duration.ofMinutes(5));
        Reservation first = reserved(store.reservations().reserve(user, 250, "hold-1", "", expiresAt, NOW));

        // 200 used + 250 held + 151 asked > 600: refused, naming the limit, the usage and what is held.
        assertThat(store.reservations().reserve(user, 151, "hold-2", "", expiresAt, NOW))
                .isEqualTo(new ReserveResult.LimitReached(600, 200, 250, Instant.parse("2026-06-01T00:00:00Z")));
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(250);
        assertThat(store.reservations().active(user)).containsExactly(first);
        // Too few tokens is that, whatever the limit; a key used before is still a duplicate.
        assertThat(store.reservations().reserve(user, 801, "hold-3", "", expiresAt, NOW))
                .isEqualTo(new ReserveResult.Insufficient(550));
        assertThat(store.reservations().reserve(user, 999, "hold-1", "", expiresAt, NOW))
                .isEqualTo(new ReserveResult.Duplicate(first));

        // The refused key was not used: once there is room, it holds.
        Reservation upToTheLimit = reserved(store.reservations().reserve(user, 150, "hold-2", "", expiresAt, NOW));
        assertThat(upToTheLimit.amount()).isEqualTo(150);
        store.reservations().finish(user, first.id(), ReservationStatus.RELEASED, 0, "", NOW);
        assertThat(reserved(store.reservations().reserve(user, 250, "hold-4", "", expiresAt, NOW))
                        .amount())
                .isEqualTo(250);

        // A lapsed hold no longer counts: it is swept before the check.
        UserId lapsing = newUser();
        grant(lapsing, 1_000);
        store.ledger().setUsageLimit(lapsing, Optional.of(500L), NOW);
        reserved(store.reservations().reserve(lapsing, 500, "short", "", NOW.plusSeconds(1), NOW));
        assertThat(store.reservations().reserve(lapsing, 500, "later", "", expiresAt, NOW))
                .isInstanceOf(ReserveResult.LimitReached.class);
        assertThat(store.reservations().reserve(lapsing, 500, "later", "", expiresAt, NOW.plusSeconds(1)))
                .isInstanceOf(ReserveResult.Reserved.class);

        // Without a limit, only the balance counts.
        store.ledger().setUsageLimit(user, Optional.empty(), NOW);
        assertThat(store.reservations().reserve(user, 300, "hold-5", "", expiresAt, NOW))
                .isInstanceOf(ReserveResult.Reserved.class);
    }

    @Test
    void shouldHoldAndEndReservationsExactlyOnce() {
        UserId user = newUser();
        grant(user, 1_000);
        Instant expiresAt = NOW.plus(Duration.ofMinutes(5));

        Reservation hold = reserved(store.reservations().reserve(user, 400, "hold-1", "stream", expiresAt, NOW));

        assertThat(hold)
                .isEqualTo(new Reservation(
                        hold.id(),
                        user,
                        400,
                        ReservationStatus.ACTIVE,
                        "hold-1",
                        "stream",
                        Optional.empty(),
                        Optional.empty(),
                        expiresAt,
                        NOW,
                        NOW));
        assertThat(store.reservations().reserve(user, 999, "hold-1", "other", expiresAt, NOW))
                .isEqualTo(new ReserveResult.Duplicate(hold));
        assertThat(store.reservations().reserve(user, 601, "hold-2", "", expiresAt, NOW))
                .isEqualTo(new ReserveResult.Insufficient(600));
        assertThat(store.reservations().findById(user, hold.id())).contains(hold);
        assertThat(store.reservations().active(user)).containsExactly(hold);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(400);
        Reservation rest = reserved(store.reservations().reserve(user, 600, "hold-3", "", expiresAt, NOW));
        assertThat(store.reservations().active(user)).containsExactly(hold, rest);

        FinishResult settled = store.reservations()
                .finish(user, hold.id(), ReservationStatus.SETTLED, 250, "stream", NOW)
                .result();
        FinishResult again = store.reservations()
                .finish(user, hold.id(), ReservationStatus.SETTLED, 250, "stream", NOW)
                .result();
        FinishResult released = store.reservations()
                .finish(user, hold.id(), ReservationStatus.RELEASED, 0, "", NOW)
                .result();

        assertThat(settled.ended()).isTrue();
        assertThat(settled.status()).isEqualTo(ReservationStatus.SETTLED);
        assertThat(settled.entryId()).isPresent();
        assertThat(again).isEqualTo(new FinishResult(false, ReservationStatus.SETTLED, settled.entryId()));
        assertThat(released).isEqualTo(new FinishResult(false, ReservationStatus.SETTLED, settled.entryId()));
        assertThat(store.reservations().findById(user, hold.id())).hasValueSatisfying(found -> {
            assertThat(found.status()).isEqualTo(ReservationStatus.SETTLED);
            assertThat(found.settledTokens()).contains(250L);
            assertThat(found.entryId()).isEqualTo(settled.entryId());
        });
        assertThat(store.reservations().reserve(user, 1, "hold-1", "", expiresAt, NOW))
                .as("the hold as stored now")
                .isEqualTo(new ReserveResult.Duplicate(
                        store.reservations().findById(user, hold.id()).orElseThrow()));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(750);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(600);
        store.reservations()
                .finish(user, rest.id(), ReservationStatus.RELEASED, 0, "", NOW)
                .result();
        assertThat(store.ledger().balance(user).reserved()).isZero();
        assertThat(store.reservations().active(user)).isEmpty();
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldEndTheUsersLapsedHoldsBeforeReserving() {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation lapsing =
                reserved(store.reservations().reserve(user, 400, "lapsing", "", NOW.plus(Duration.ofMinutes(1)), NOW));

        Reservation big = reserved(store.reservations()
                .reserve(user, 800, "big", "", NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofMinutes(1))));

        assertThat(store.reservations().findById(user, lapsing.id()))
                .map(Reservation::status)
                .contains(ReservationStatus.EXPIRED);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(800);

        assertThat(store.reservations()
                        .reserve(
                                user,
                                2_000,
                                "too-big",
                                "",
                                NOW.plus(Duration.ofMinutes(9)),
                                NOW.plus(Duration.ofMinutes(6))))
                .isEqualTo(new ReserveResult.Insufficient(1_000));
        assertThat(store.reservations().findById(user, big.id()))
                .as("ended even though the new hold was refused")
                .map(Reservation::status)
                .contains(ReservationStatus.EXPIRED);
        assertThat(store.ledger().balance(user).reserved()).isZero();

        UserId nobody = newUser();
        assertThat(store.reservations().reserve(nobody, 1, "any", "", NOW.plus(Duration.ofMinutes(5)), NOW))
                .isEqualTo(new ReserveResult.Insufficient(0));
        assertThat(store.ledger().balance(nobody)).isEqualTo(TokenBalance.empty(nobody));
        UserId other = newUser();
        grant(other, 10);
        assertThat(store.reservations().reserve(other, 10, "lapsing", "", NOW.plus(Duration.ofMinutes(5)), NOW))
                .as("keys are scoped to the user")
                .isInstanceOf(ReserveResult.Reserved.class);
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    @Test
    void shouldReserveExactlyOncePerKeyUnderRaces() throws Exception {
        UserId waiting = newUser();
        grant(waiting, 1_000);
        OpenTransaction<ReserveResult> first = openTransaction(
                tx -> tx.reservations().reserve(waiting, 100, "racing-hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        ReserveResult repeat = blockedUntilEnd(
                first,
                true,
                () -> store.reservations()
                        .reserve(waiting, 100, "racing-hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        assertThat(repeat).isEqualTo(new ReserveResult.Duplicate(reserved(first.result())));
        assertThat(store.ledger().balance(waiting).reserved()).isEqualTo(100);

        UserId user = newUser();
        grant(user, 1_000);
        List<ReserveResult> results = race(
                racingThreads(),
                i -> store.reservations().reserve(user, 100, "racing-hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        assertThat(results).filteredOn(ReserveResult.Reserved.class::isInstance).hasSize(1);
        Reservation hold = results.stream()
                .filter(ReserveResult.Reserved.class::isInstance)
                .map(result -> ((ReserveResult.Reserved) result).reservation())
                .findFirst()
                .orElseThrow();
        assertThat(results)
                .filteredOn(result -> !(result instanceof ReserveResult.Reserved))
                .allSatisfy(result -> assertThat(result).isEqualTo(new ReserveResult.Duplicate(hold)));
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(100);
        assertThat(store.reservations().active(user)).containsExactly(hold);
    }

    @Test
    void shouldSettleIntoOneUsageEntry() {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation described = reserved(store.reservations()
                .reserve(user, 300, "described", "chat completion", NOW.plus(Duration.ofMinutes(5)), NOW));
        Reservation unused =
                reserved(store.reservations().reserve(user, 300, "unused", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        Instant at = NOW.plusSeconds(30);

        FinishResult settled = store.reservations()
                .finish(user, described.id(), ReservationStatus.SETTLED, 120, "", at)
                .result();
        FinishResult zero = store.reservations()
                .finish(user, unused.id(), ReservationStatus.SETTLED, 0, "", at)
                .result();

        LedgerEntry entry =
                store.ledger().findEntry(user, settled.entryId().orElseThrow()).orElseThrow();
        assertThat(entry.kind()).isEqualTo(LedgerEntryKind.USAGE);
        assertThat(entry.amount()).isEqualTo(-120);
        assertThat(entry.balanceAfter()).isEqualTo(880);
        assertThat(entry.description())
                .as("the hold's description when none is given")
                .isEqualTo("chat completion");
        assertThat(entry.createdAt()).isEqualTo(at);
        assertThat(zero).isEqualTo(new FinishResult(true, ReservationStatus.SETTLED, Optional.empty()));
        assertThat(store.reservations().findById(user, unused.id())).hasValueSatisfying(found -> {
            assertThat(found.status()).isEqualTo(ReservationStatus.SETTLED);
            assertThat(found.settledTokens()).contains(0L);
            assertThat(found.entryId()).isEmpty();
        });
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(880);
        assertThat(balance.totalUsed()).isEqualTo(120);
        assertThat(balance.reserved()).isZero();
        assertThat(store.ledger().history(user, Optional.empty(), 10)).hasSize(2);
        assertRunningSum(user);
    }

    @Test
    void shouldEndAHoldPastItsExpiryAsExpired() {
        UserId user = newUser();
        grant(user, 1_000);
        Instant expiresAt = NOW.plus(Duration.ofMinutes(1));
        Reservation settling = reserved(store.reservations().reserve(user, 300, "settling", "", expiresAt, NOW));
        Reservation releasing = reserved(store.reservations().reserve(user, 300, "releasing", "", expiresAt, NOW));

        FinishResult settled = store.reservations()
                .finish(user, settling.id(), ReservationStatus.SETTLED, 100, "", expiresAt)
                .result();
        FinishResult released = store.reservations()
                .finish(user, releasing.id(), ReservationStatus.RELEASED, 0, "", expiresAt)
                .result();

        assertThat(settled).isEqualTo(new FinishResult(true, ReservationStatus.EXPIRED, Optional.empty()));
        assertThat(released).isEqualTo(new FinishResult(true, ReservationStatus.RELEASED, Optional.empty()));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000);
        assertThat(store.ledger().balance(user).reserved()).isZero();
    }

    @Test
    void shouldRefuseOverSettlingAndOtherEndings() {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation hold =
                reserved(store.reservations().reserve(user, 300, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        assertThatThrownBy(() -> store.reservations()
                        .finish(user, hold.id(), ReservationStatus.SETTLED, 301, "", NOW)
                        .result())
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> store.reservations()
                        .finish(user, hold.id(), ReservationStatus.ACTIVE, 0, "", NOW)
                        .result())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.reservations()
                        .finish(user, hold.id(), ReservationStatus.EXPIRED, 0, "", NOW)
                        .result())
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(store.reservations().findById(user, hold.id())).contains(hold);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(300);
    }

    @Test
    void shouldEndAHoldOnceUnderRaces() throws Exception {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation waitedFor = reserved(
                store.reservations().reserve(user, 300, "waited-for", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        OpenTransaction<FinishResult> settling = openTransaction(tx -> tx.reservations()
                .finish(user, waitedFor.id(), ReservationStatus.SETTLED, 100, "", NOW)
                .result());
        assertThat(blockedUntilEnd(
                        settling,
                        true,
                        () -> store.reservations()
                                .finish(user, waitedFor.id(), ReservationStatus.RELEASED, 0, "", NOW)
                                .result()))
                .isEqualTo(new FinishResult(
                        false, ReservationStatus.SETTLED, settling.result().entryId()));
        assertThat(settling.result().ended()).isTrue();
        Reservation hold =
                reserved(store.reservations().reserve(user, 300, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        List<FinishResult> results = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.reservations()
                                .finish(user, hold.id(), ReservationStatus.SETTLED, 100, "", NOW)
                                .result()
                        : store.inTransaction(tx -> tx.reservations()
                                .finish(user, hold.id(), ReservationStatus.RELEASED, 0, "", NOW)
                                .result()));

        assertThat(results).filteredOn(FinishResult::ended).hasSize(1);
        FinishResult winner =
                results.stream().filter(FinishResult::ended).findFirst().orElseThrow();
        assertThat(results)
                .filteredOn(result -> !result.ended())
                .allSatisfy(result ->
                        assertThat(result).isEqualTo(new FinishResult(false, winner.status(), winner.entryId())));
        assertThat(store.reservations().findById(user, hold.id()).orElseThrow().status())
                .isEqualTo(winner.status());
        assertThat(store.ledger().balance(user).balance())
                .isEqualTo(winner.status() == ReservationStatus.SETTLED ? 800 : 900);
        assertThat(store.ledger().balance(user).reserved()).isZero();
        assertRunningSum(user);
    }

    @Test
    void shouldFindOnlyTheUsersOwnHolds() {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation hold =
                reserved(store.reservations().reserve(user, 300, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));

        assertThat(store.reservations().findById(user, hold.id())).contains(hold);
        assertThat(store.reservations().findById(newUser(), hold.id())).isEmpty();
        assertThat(store.reservations().findById(user, UNKNOWN_ID)).isEmpty();
        assertThat(store.reservations().active(newUser())).isEmpty();
    }

    @Test
    void shouldFinishNothingForUnknownIds() {
        UserId user = newUser();
        grant(user, 1_000);

        assertThat(store.reservations()
                        .finish(user, UNKNOWN_ID, ReservationStatus.SETTLED, 10, "", NOW)
                        .result())
                .isEqualTo(new FinishResult(false, ReservationStatus.EXPIRED, Optional.empty()));
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000);
    }

    @Test
    void shouldNotFinishAnotherUsersHold() {
        UserId user = newUser();
        grant(user, 1_000);
        Reservation hold =
                reserved(store.reservations().reserve(user, 300, "hold", "", NOW.plus(Duration.ofMinutes(5)), NOW));
        UserId intruder = newUser();

        assertThat(store.reservations()
                        .finish(intruder, hold.id(), ReservationStatus.SETTLED, 300, "", NOW)
                        .result())
                .isEqualTo(new FinishResult(false, ReservationStatus.EXPIRED, Optional.empty()));
        assertThat(store.reservations()
                        .finish(intruder, hold.id(), ReservationStatus.RELEASED, 0, "", NOW)
                        .result())
                .isEqualTo(new FinishResult(false, ReservationStatus.EXPIRED, Optional.empty()));

        assertThat(store.reservations().findById(user, hold.id())).contains(hold);
        assertThat(store.ledger().balance(user).balance()).isEqualTo(1_000);
        assertThat(store.ledger().balance(user).reserved()).isEqualTo(300);
    }

    @Test
    void shouldExpireLapsedHoldsSoonestFirst() {
        UserId first = newUser();
        UserId second = newUser();
        grant(first, 1_000);
        grant(second, 1_000);
        Reservation soonest =
                reserved(store.reservations().reserve(first, 100, "soonest", "", NOW.plus(Duration.ofMinutes(1)), NOW));
        Reservation next =
                reserved(store.reservations().reserve(second, 200, "next", "", NOW.plus(Duration.ofMinutes(2)), NOW));
        Reservation lasting = reserved(
                store.reservations().reserve(first, 300, "lasting", "", NOW.plus(Duration.ofMinutes(10)), NOW));
        Instant later = NOW.plus(Duration.ofMinutes(5));
        assertThat(store.reservations().active(first))
                .as("lapsed holds stay active until ended")
                .containsExactly(soonest, lasting);

        assertThat(store.reservations().expire(later, 1)).isEqualTo(1);
        assertThat(store.reservations().findById(first, soonest.id()))
                .map(Reservation::status)
                .contains(ReservationStatus.EXPIRED);
        assertThat(store.reservations().findById(second, next.id()))
                .map(Reservation::status)
                .contains(ReservationStatus.ACTIVE);
        assertThat(store.reservations().expire(later, 10)).isEqualTo(1);
        assertThat(store.reservations().expire(later, 10)).isZero();
        assertThat(store.reservations().expire(NOW.plus(Duration.ofMinutes(2)).minusSeconds(1), 10))
                .isZero();

        assertThat(store.reservations().findById(second, next.id()))
                .map(Reservation::status)
                .contains(ReservationStatus.EXPIRED);
        assertThat(store.reservations().active(first)).containsExactly(lasting);
        assertThat(store.ledger().balance(first).reserved()).isEqualTo(300);
        assertThat(store.ledger().balance(second).reserved()).isZero();
        assertThat(store.ledger().balance(first).balance()).isEqualTo(1_000);
    }

    @Test
    void shouldExpireEachHoldOnceUnderRaces() throws Exception {
        List<UserId> users = List.of(newUser(), newUser(), newUser());
        int holds = 0;
        for (UserId user : users) {
            grant(user, 1_000);
            for (int i = 0; i < 4; i++) {
                holds++;
                reserved(store.reservations()
                        .reserve(user, 100, "hold-" + i, "", NOW.plus(Duration.ofSeconds(holds)), NOW));
            }
        }

        List<Integer> expired =
                race(racingThreads(), i -> store.reservations().expire(NOW.plus(Duration.ofMinutes(1)), 100));

        assertThat(expired.stream().mapToInt(Integer::intValue).sum()).isEqualTo(holds);
        for (UserId user : users) {
            assertThat(store.reservations().active(user)).isEmpty();
            assertThat(store.ledger().balance(user).reserved()).isZero();
        }
        assertThat(store.ledger().auditViolations()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // WebhookEventRepository
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldStoreWebhookEventsOnceAndTrackTheirProcessing() {
        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);

        assertThat(store.webhookEvents().insertIfAbsent(event)).isTrue();
        assertThat(store.webhookEvents()
                        .insertIfAbsent(new NewWebhookEvent(
                                event.id(),
                                "other.type",
                                Optional.empty(),
                                true,
                                Optional.empty(),
                                "{}",
                                NOW.plusSeconds(5))))
                .isFalse();
        assertThat(store.webhookEvents().findById(event.id()))
                .contains(new WebhookEventRecord(
                        event.id(),
                        event.type(),
                        event.apiVersion(),
                        false,
                        event.objectId(),
                        event.payload(),
                        WebhookEventStatus.RECEIVED,
                        0,
                        Optional.empty(),
                        Optional.of(NOW.plusSeconds(60)),
                        NOW,
                        Optional.empty()));
        assertThat(store.webhookEvents().findById("evt_unknown")).isEmpty();
        assertThat(store.webhookEvents().storedIds(Set.of(event.id(), "evt_unknown")))
                .containsExactly(event.id());
        assertThat(store.webhookEvents().storedIds(Set.of())).isEmpty();

        store.webhookEvents().markFailed(event.id(), "boom", Optional.of(NOW.plusSeconds(30)), NOW);
        assertThat(store.webhookEvents().findById(event.id())).hasValueSatisfying(failed -> {
            assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(failed.processingError()).contains("boom");
            assertThat(failed.nextAttemptAt()).contains(NOW.plusSeconds(30));
        });
        assertThat(store.webhookEvents().leaseRetryable(NOW, 10, 10, Duration.ofMinutes(5)))
                .isEmpty();
        assertThat(store.webhookEvents().leaseRetryable(NOW.plusSeconds(31), 10, 10, Duration.ofMinutes(5)))
                .extracting(WebhookEventRecord::id)
                .containsExactly(event.id());
        store.webhookEvents().markDone(event.id(), WebhookEventStatus.PROCESSED, NOW.plusSeconds(40));

        assertThat(store.webhookEvents().findById(event.id())).hasValueSatisfying(stored -> {
            assertThat(stored.status()).isEqualTo(WebhookEventStatus.PROCESSED);
            assertThat(stored.attempts()).isEqualTo(2);
            assertThat(stored.processingError()).isEmpty();
            assertThat(stored.nextAttemptAt()).isEmpty();
            assertThat(stored.processedAt()).contains(NOW.plusSeconds(40));
            assertThat(stored.payload()).as("the first payload stays").isEqualTo(event.payload());
        });
        store.webhookEvents().markDone("evt_unknown", WebhookEventStatus.PROCESSED, NOW);
        store.webhookEvents().markFailed("evt_unknown", "boom", Optional.empty(), NOW);
        assertThat(store.webhookEvents().findById("evt_unknown")).isEmpty();
    }

    @Test
    void shouldStoreAnEventOnceUnderRaces() throws Exception {
        NewWebhookEvent rolledBack = newEvent("payment_intent.succeeded", NOW);
        OpenTransaction<Boolean> lost = openTransaction(tx -> tx.webhookEvents().insertIfAbsent(rolledBack));
        assertThat(blockedUntilEnd(lost, false, () -> store.webhookEvents().insertIfAbsent(rolledBack)))
                .as("stored by the waiting insert once the first rolled back")
                .isTrue();
        NewWebhookEvent committed = newEvent("payment_intent.succeeded", NOW);
        OpenTransaction<Boolean> kept = openTransaction(tx -> tx.webhookEvents().insertIfAbsent(committed));
        assertThat(blockedUntilEnd(kept, true, () -> store.webhookEvents().insertIfAbsent(committed)))
                .isFalse();
        assertThat(kept.result()).isTrue();

        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);

        List<Boolean> stored = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.webhookEvents().insertIfAbsent(event)
                        : store.inTransaction(tx -> tx.webhookEvents().insertIfAbsent(event)));

        assertThat(stored).containsOnlyOnce(true);
        assertThat(store.webhookEvents().findById(event.id()))
                .map(WebhookEventRecord::attempts)
                .contains(0);
    }

    @Test
    void shouldStoreAProcessedEventInOneWrite() throws Exception {
        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);

        assertThat(store.webhookEvents().insertDoneIfAbsent(event, WebhookEventStatus.PROCESSED, NOW.plusSeconds(1)))
                .isTrue();
        WebhookEventRecord stored = store.webhookEvents().findById(event.id()).orElseThrow();
        assertThat(stored)
                .isEqualTo(new WebhookEventRecord(
                        event.id(),
                        event.type(),
                        event.apiVersion(),
                        false,
                        event.objectId(),
                        event.payload(),
                        WebhookEventStatus.PROCESSED,
                        1,
                        Optional.empty(),
                        Optional.empty(),
                        NOW,
                        Optional.of(NOW.plusSeconds(1))));
        assertThat(store.webhookEvents().insertDoneIfAbsent(event, WebhookEventStatus.IGNORED, NOW.plusSeconds(2)))
                .isFalse();
        assertThat(store.webhookEvents().insertIfAbsent(event)).isFalse();
        assertThat(store.webhookEvents().findById(event.id())).contains(stored);
        assertThat(store.webhookEvents().leaseRetryable(NOW.plus(Duration.ofHours(1)), 10, 10, Duration.ofMinutes(1)))
                .extracting(WebhookEventRecord::id)
                .doesNotContain(event.id());

        NewWebhookEvent raced = newEvent("payment_intent.succeeded", NOW);
        OpenTransaction<Boolean> kept = openTransaction(tx -> tx.webhookEvents().insertIfAbsent(raced));
        assertThat(blockedUntilEnd(
                        kept,
                        true,
                        () -> store.webhookEvents().insertDoneIfAbsent(raced, WebhookEventStatus.PROCESSED, NOW)))
                .as("waits for a racing insert of the same id, and stores nothing once it committed")
                .isFalse();
        assertThat(store.webhookEvents().findById(raced.id()))
                .map(WebhookEventRecord::status)
                .contains(WebhookEventStatus.RECEIVED);
    }

    @Test
    void shouldNotReopenADoneEvent() {
        NewWebhookEvent event = newEvent("charge.refunded", NOW);
        store.webhookEvents().insertIfAbsent(event);
        store.webhookEvents().markDone(event.id(), WebhookEventStatus.IGNORED, NOW);
        WebhookEventRecord ignored = store.webhookEvents().findById(event.id()).orElseThrow();

        store.webhookEvents().markFailed(event.id(), "late failure", Optional.of(NOW), NOW.plusSeconds(1));

        assertThat(store.webhookEvents().findById(event.id())).contains(ignored);
        assertThat(ignored.status()).isEqualTo(WebhookEventStatus.IGNORED);
        assertThat(ignored.attempts()).isEqualTo(1);
        assertThat(store.webhookEvents().leaseRetryable(NOW.plusSeconds(60), 10, 10, Duration.ofMinutes(1)))
                .isEmpty();
    }

    @Test
    void shouldFindEventsNewestFirstWithFilters() {
        NewWebhookEvent oldest = newEvent("payment_intent.succeeded", NOW.minus(Duration.ofHours(3)));
        NewWebhookEvent middle = newEvent("charge.refunded", NOW.minus(Duration.ofHours(2)));
        NewWebhookEvent newest = newEvent("payment_intent.succeeded", NOW.minus(Duration.ofHours(1)));
        long processedBefore = store.webhookEvents().count(WebhookEventStatus.PROCESSED);
        long receivedBefore = store.webhookEvents().count(WebhookEventStatus.RECEIVED);
        for (NewWebhookEvent event : List.of(oldest, middle, newest)) {
            store.webhookEvents().insertIfAbsent(event);
        }
        store.webhookEvents().markDone(middle.id(), WebhookEventStatus.PROCESSED, NOW);
        Set<String> ours = Set.of(oldest.id(), middle.id(), newest.id());

        assertThat(store.webhookEvents().find(WebhookEventQuery.all(100)))
                .filteredOn(e -> ours.contains(e.id()))
                .extracting(WebhookEventRecord::id)
                .containsExactly(newest.id(), middle.id(), oldest.id());
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(100)))
                .extracting(WebhookEventRecord::receivedAt)
                .isSortedAccordingTo(Collections.reverseOrder());
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(1))).hasSize(1);
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(100).ofType("payment_intent.succeeded")))
                .extracting(WebhookEventRecord::id)
                .containsExactly(newest.id(), oldest.id());
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(100).withStatus(WebhookEventStatus.PROCESSED)))
                .extracting(WebhookEventRecord::id)
                .containsExactly(middle.id());
        assertThat(store.webhookEvents().find(WebhookEventQuery.all(100).since(middle.receivedAt())))
                .extracting(WebhookEventRecord::id)
                .containsExactly(newest.id(), middle.id());
        assertThat(store.webhookEvents().count(WebhookEventStatus.PROCESSED)).isEqualTo(processedBefore + 1);
        assertThat(store.webhookEvents().count(WebhookEventStatus.RECEIVED)).isEqualTo(receivedBefore + 2);
    }

    @Test
    void shouldLeaseOnlyDueRetryableEvents() {
        NewWebhookEvent fresh = insertedEvent();
        NewWebhookEvent permanent = insertedEvent();
        NewWebhookEvent exhausted = insertedEvent();
        NewWebhookEvent later = insertedEvent();
        NewWebhookEvent sooner = insertedEvent();
        store.webhookEvents().markFailed(permanent.id(), "bad payload", Optional.empty(), NOW);
        for (int i = 0; i < 3; i++) {
            store.webhookEvents().markFailed(exhausted.id(), "down", Optional.of(NOW), NOW);
        }
        store.webhookEvents().markFailed(later.id(), "down", Optional.of(NOW.minusSeconds(10)), NOW);
        store.webhookEvents().markFailed(sooner.id(), "down", Optional.of(NOW.minusSeconds(20)), NOW);
        Duration lease = Duration.ofMinutes(5);

        List<WebhookEventRecord> first = store.webhookEvents().leaseRetryable(NOW, 3, 1, lease);

        assertThat(first).extracting(WebhookEventRecord::id).containsExactly(sooner.id());
        assertThat(first.get(0).nextAttemptAt()).contains(NOW.plus(lease));
        assertThat(first.get(0).attempts()).as("a lease is not an attempt").isEqualTo(1);
        assertThat(store.webhookEvents().findById(sooner.id())).contains(first.get(0));
        assertThat(store.webhookEvents().leaseRetryable(NOW, 3, 10, lease))
                .extracting(WebhookEventRecord::id)
                .containsExactly(later.id());
        // An event stored but never processed (its process crashed) is due a minute after it arrived.
        assertThat(store.webhookEvents().leaseRetryable(NOW.plus(lease).minusSeconds(1), 3, 10, lease))
                .extracting(WebhookEventRecord::id)
                .containsExactly(fresh.id());
        assertThat(store.webhookEvents().leaseRetryable(NOW.plus(lease), 4, 10, lease))
                .extracting(WebhookEventRecord::id)
                .containsExactlyInAnyOrder(sooner.id(), later.id(), exhausted.id());
        assertThat(store.webhookEvents().leaseRetryable(NOW.plus(Duration.ofDays(365)), 100, 100, lease))
                .extracting(WebhookEventRecord::id)
                .contains(fresh.id())
                .doesNotContain(permanent.id());
    }

    @Test
    void shouldSkipEventsLockedByAnotherTransaction() throws Exception {
        NewWebhookEvent leasedFirst = insertedEvent();
        NewWebhookEvent locked = insertedEvent();
        NewWebhookEvent free = insertedEvent();
        store.webhookEvents().markFailed(leasedFirst.id(), "down", Optional.of(NOW.minusSeconds(30)), NOW);
        store.webhookEvents().markFailed(locked.id(), "down", Optional.of(NOW.minusSeconds(20)), NOW);
        store.webhookEvents().markFailed(free.id(), "down", Optional.of(NOW.minusSeconds(10)), NOW);
        Duration lease = Duration.ofMinutes(5);
        OpenTransaction<List<WebhookEventRecord>> leasing =
                openTransaction(tx -> tx.webhookEvents().leaseRetryable(NOW, 10, 1, lease));
        assertThat(leasing.result()).extracting(WebhookEventRecord::id).containsExactly(leasedFirst.id());
        OpenTransaction<Optional<WebhookEventRecord>> delivering =
                openTransaction(tx -> tx.webhookEvents().findByIdForUpdate(locked.id()));

        assertThat(promptly(() -> store.webhookEvents().leaseRetryable(NOW, 10, 10, lease)))
                .as("skips locked rows without waiting")
                .extracting(WebhookEventRecord::id)
                .containsExactly(free.id());

        leasing.commit();
        delivering.commit();
        assertThat(store.webhookEvents().leaseRetryable(NOW, 10, 10, lease))
                .extracting(WebhookEventRecord::id)
                .containsExactly(locked.id());
    }

    @Test
    void shouldNeverLeaseOneEventTwiceUnderRaces() throws Exception {
        Set<String> due = new HashSet<>();
        for (int i = 0; i < 3 * racingThreads(); i++) {
            NewWebhookEvent event = insertedEvent();
            store.webhookEvents().markFailed(event.id(), "down", Optional.of(NOW.minusSeconds(i)), NOW);
            due.add(event.id());
        }
        Duration lease = Duration.ofMinutes(5);

        List<List<WebhookEventRecord>> leases = race(
                racingThreads(),
                i -> i % 2 == 0
                        ? store.webhookEvents().leaseRetryable(NOW, 10, 2, lease)
                        : store.inTransaction(tx -> tx.webhookEvents().leaseRetryable(NOW, 10, 2, lease)));

        List<String> leased = leases.stream()
                .flatMap(List::stream)
                .map(WebhookEventRecord::id)
                .toList();
        assertThat(leased).doesNotHaveDuplicates().isSubsetOf(due);
        List<String> rest = store.webhookEvents().leaseRetryable(NOW, 10, 1_000, lease).stream()
                .map(WebhookEventRecord::id)
                .toList();
        assertThat(rest).doesNotContainAnyElementsOf(leased);
        assertThat(leased.size() + rest.size()).isEqualTo(due.size());
    }

    @Test
    void shouldQueueDeliveriesOfOneEventOnItsRowLock() throws Exception {
        NewWebhookEvent event = insertedEvent();
        WebhookEventRecord received = store.webhookEvents().findById(event.id()).orElseThrow();

        OpenTransaction<Optional<WebhookEventRecord>> failing = openTransaction(tx -> {
            Optional<WebhookEventRecord> locked = tx.webhookEvents().findByIdForUpdate(event.id());
            tx.webhookEvents().markDone(event.id(), WebhookEventStatus.PROCESSED, NOW);
            return locked;
        });
        assertThat(failing.result()).contains(received);
        Optional<WebhookEventRecord> afterRollBack = blockedUntilEnd(
                failing,
                false,
                () -> store.inTransaction(tx -> tx.webhookEvents().findByIdForUpdate(event.id())));
        assertThat(afterRollBack)
                .as("the event as it was before the rolled back delivery")
                .contains(received);

        OpenTransaction<Optional<WebhookEventRecord>> succeeding = openTransaction(tx -> {
            Optional<WebhookEventRecord> locked = tx.webhookEvents().findByIdForUpdate(event.id());
            tx.webhookEvents().markDone(event.id(), WebhookEventStatus.PROCESSED, NOW);
            return locked;
        });
        Optional<WebhookEventRecord> afterCommit = blockedUntilEnd(
                succeeding,
                true,
                () -> store.inTransaction(tx -> tx.webhookEvents().findByIdForUpdate(event.id())));
        assertThat(afterCommit).map(WebhookEventRecord::status).contains(WebhookEventStatus.PROCESSED);
        Optional<WebhookEventRecord> unknown =
                store.inTransaction(tx -> tx.webhookEvents().findByIdForUpdate("evt_unknown"));
        assertThat(unknown).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Fixtures
    // ---------------------------------------------------------------------------------------------

    private UserId newUser() {
        return UserId.of("contract-" + (++counter) + "-" + System.nanoTime());
    }

    private String unique(String prefix) {
        return prefix + "-" + (++counter) + "-" + System.nanoTime();
    }

    private static LedgerPosting posting(UserId user, LedgerEntryKind kind, long tokens, String key) {
        return LedgerPosting.of(user, kind, tokens, key, "contract", NOW);
    }

    /** A refund debit allowed to take the balance below zero. */
    private static LedgerPosting reversal(UserId user, long tokens, String key) {
        return new LedgerPosting(
                user, LedgerEntryKind.REFUND, tokens, Optional.empty(), Optional.of(key), "refund", NOW, true);
    }

    private static LedgerPosting purchaseCredit(Purchase purchase, String key) {
        return new LedgerPosting(
                purchase.userId(),
                LedgerEntryKind.PURCHASE,
                purchase.tokenAmount(),
                Optional.of(purchase.id()),
                Optional.of(key),
                "purchase",
                NOW,
                false);
    }

    private static LedgerEntry posted(PostingResult result) {
        assertThat(result).isInstanceOf(PostingResult.Posted.class);
        return ((PostingResult.Posted) result).entry();
    }

    private LedgerEntry grant(UserId user, long tokens) {
        return posted(store.ledger().credit(posting(user, LedgerEntryKind.GRANT, tokens, unique("grant"))));
    }

    private long lotOf(UserId user, LedgerEntry credit) {
        return store.ledger().findLotByEntry(user, credit.id()).orElseThrow().id();
    }

    /** Exactly one result is Posted and every other one is a Duplicate of its entry. */
    private static LedgerEntry exactlyOnePosted(List<PostingResult> results) {
        List<LedgerEntry> posted = results.stream()
                .filter(PostingResult.Posted.class::isInstance)
                .map(result -> ((PostingResult.Posted) result).entry())
                .toList();
        assertThat(posted)
                .as("exactly one of the racing postings is posted: %s", results)
                .hasSize(1);
        assertThat(results)
                .filteredOn(result -> !(result instanceof PostingResult.Posted))
                .hasSize(results.size() - 1)
                .allSatisfy(result -> assertThat(result).isEqualTo(new PostingResult.Duplicate(posted.get(0))));
        return posted.get(0);
    }

    /** The user's entries are a running sum ending at the balance, and the open lots minus debt make the balance. */
    private void assertRunningSum(UserId user) {
        List<LedgerEntry> entries = new ArrayList<>(store.ledger().history(user, Optional.empty(), 10_000));
        Collections.reverse(entries);
        long sum = 0;
        for (LedgerEntry entry : entries) {
            sum += entry.amount();
            assertThat(entry.balanceAfter())
                    .as("balanceAfter of entry %s", entry.id())
                    .isEqualTo(sum);
        }
        TokenBalance balance = store.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(sum);
        assertThat(balance.balance())
                .isEqualTo(balance.totalPurchased()
                        + balance.totalGranted()
                        + balance.totalAdjusted()
                        - balance.totalUsed()
                        - balance.totalReversed()
                        - balance.totalExpired());
        long open = store.ledger().lots(user, true).stream()
                .mapToLong(TokenLot::remaining)
                .sum();
        assertThat(open - balance.debt()).as("open lots minus debt").isEqualTo(balance.balance());
    }

    private TokenPackage packageForPurchases() {
        if (pack == null) {
            pack = store.packages()
                    .insert(
                            new PackageDefinition(
                                    unique("pack"), "Package", "tokens", 1_000, Money.of(500, "USD"), "", true, 0),
                            NOW);
        }
        return pack;
    }

    private Purchase newPurchase(UserId user, Instant createdAt) {
        TokenPackage offered = packageForPurchases();
        return store.purchases()
                .insert(new NewPurchase(
                        user,
                        offered.id(),
                        offered.slug(),
                        offered.tokenAmount(),
                        offered.price(),
                        Optional.empty(),
                        createdAt));
    }

    /** A purchase moved from pending to {@code status} (its completion time set when completed). */
    private Purchase newPurchase(UserId user, Instant createdAt, PurchaseStatus status) {
        Purchase purchase = newPurchase(user, createdAt);
        if (status == PurchaseStatus.PENDING) {
            return purchase;
        }
        return store.purchases()
                .transition(
                        purchase.id(),
                        Set.of(PurchaseStatus.PENDING),
                        status,
                        Optional.empty(),
                        Optional.empty(),
                        createdAt)
                .orElseThrow();
    }

    private Purchase completedPurchase(UserId user) {
        return newPurchase(user, NOW, PurchaseStatus.COMPLETED);
    }

    private List<Long> leasedIds(Instant createdBefore, Instant now, Duration base, Duration max) {
        return store.purchases().leaseStuck(createdBefore, now, 100, base, max).stream()
                .map(Purchase::id)
                .toList();
    }

    private NewWebhookEvent newEvent(String type, Instant receivedAt) {
        String id = unique("evt");
        return new NewWebhookEvent(
                id, type, Optional.of("2026-01-01"), false, Optional.of("pi_1"), "{\"id\":\"" + id + "\"}", receivedAt);
    }

    private NewWebhookEvent insertedEvent() {
        NewWebhookEvent event = newEvent("payment_intent.succeeded", NOW);
        assertThat(store.webhookEvents().insertIfAbsent(event)).isTrue();
        return event;
    }

    private static Reservation reserved(ReserveResult result) {
        assertThat(result).isInstanceOf(ReserveResult.Reserved.class);
        return ((ReserveResult.Reserved) result).reservation();
    }

    // ---------------------------------------------------------------------------------------------
    // Concurrency helpers: latches and bounded waits, never sleeps
    // ---------------------------------------------------------------------------------------------

    /** Runs {@code work} on {@code count} threads released at the same moment; their results in thread order. */
    private <T> List<T> race(int count, IntFunction<T> work) throws Exception {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(threads.submit(() -> {
                ready.countDown();
                start.await();
                return work.apply(index);
            }));
        }
        assertThat(ready.await(DONE_SECONDS, SECONDS)).as("all racers started").isTrue();
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(DONE_SECONDS, SECONDS));
        }
        return results;
    }

    /** Runs {@code call} on another thread and requires it to answer without waiting for any open transaction. */
    private <T> T promptly(Callable<T> call) throws Exception {
        return threads.submit(call).get(DONE_SECONDS, SECONDS);
    }

    /**
     * Starts {@code waiter} on another thread, requires it to stay blocked while {@code holder} is
     * open, ends {@code holder} (commit or roll back), and returns what {@code waiter} got then.
     */
    private <T> T blockedUntilEnd(OpenTransaction<?> holder, boolean commit, Callable<T> waiter) throws Exception {
        Future<T> waiting = threads.submit(waiter);
        assertThatThrownBy(() -> waiting.get(BLOCKED_MILLIS, MILLISECONDS))
                .as("must wait for the lock the open transaction holds")
                .isInstanceOf(TimeoutException.class);
        if (commit) {
            holder.commit();
        } else {
            holder.rollBack();
        }
        return waiting.get(DONE_SECONDS, SECONDS);
    }

    private <T> OpenTransaction<T> openTransaction(Function<BillingStore, T> work) throws Exception {
        return new OpenTransaction<>(work);
    }

    /** A transaction that ran its work on another thread and stays open, holding its locks, until ended. */
    private final class OpenTransaction<T> {

        private final CountDownLatch ran = new CountDownLatch(1);
        private final CountDownLatch end = new CountDownLatch(1);
        private final AtomicBoolean rollBack = new AtomicBoolean();
        private final AtomicReference<T> result = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Future<T> done;

        OpenTransaction(Function<BillingStore, T> work) throws Exception {
            done = threads.submit(() -> store.inTransaction(tx -> {
                try {
                    result.set(work.apply(tx));
                } catch (RuntimeException | Error e) {
                    failure.set(e);
                    throw e;
                } finally {
                    ran.countDown();
                }
                awaitEnd();
                if (rollBack.get()) {
                    throw new RolledBack();
                }
                return result.get();
            }));
            assertThat(ran.await(DONE_SECONDS, SECONDS))
                    .as("the open transaction ran its work")
                    .isTrue();
            if (failure.get() != null) {
                throw new AssertionError("the open transaction's work failed", failure.get());
            }
        }

        T result() {
            return result.get();
        }

        void commit() throws Exception {
            end.countDown();
            done.get(DONE_SECONDS, SECONDS);
        }

        void rollBack() {
            rollBack.set(true);
            end.countDown();
            assertThatThrownBy(() -> done.get(DONE_SECONDS, SECONDS)).hasCauseInstanceOf(RolledBack.class);
        }

        private void awaitEnd() {
            try {
                if (!end.await(2 * DONE_SECONDS, SECONDS)) {
                    throw new IllegalStateException("the test never ended the open transaction");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted: the test is over", e);
            }
        }
    }

    /** Thrown to roll an open transaction back. */
    private static final class RolledBack extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
