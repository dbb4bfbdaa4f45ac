package dev.tokenbilling.store;

import java.util.function.Function;

/**
 * Where the library keeps its state. Implementations are used by many threads (and processes) at
 * once and must stay correct under that concurrency, as each method's Javadoc states.
 *
 * <ul>
 *   <li>A repository method called on this store runs as its own transaction: it takes effect as a
 *       whole or not at all, and any row lock it takes ends with the call.</li>
 *   <li>{@link #inTransaction} runs several calls as one transaction; locks taken inside (the
 *       {@code ...ForUpdate} reads, the balance lock of every posting, leases) are held until it
 *       ends.</li>
 *   <li>Reads see committed data (and, inside a transaction, its own writes); they never see
 *       another transaction's uncommitted writes.</li>
 * </ul>
 *
 * The published {@code AbstractBillingStoreContractTest} (billing-testkit) checks every guarantee.
 */
public interface BillingStore {

    /** The package catalog, bound to this store's transaction when this store is one. */
    PackageRepository packages();

    /** The subscription tier catalog, bound to this store's transaction when this store is one. */
    TierRepository tiers();

    /** Users' subscriptions and Stripe customers, bound to this store's transaction when this store is one. */
    SubscriptionRepository subscriptions();

    /** The outbox of host-facing billing events, bound to this store's transaction when this store is one. */
    OutboxRepository outbox();

    /** Auto-recharge rules and attempts, bound to this store's transaction when this store is one. */
    RechargeRepository recharges();

    /** Purchases, bound to this store's transaction when this store is one. */
    PurchaseRepository purchases();

    /** Balances, the ledger and lots, bound to this store's transaction when this store is one. */
    LedgerRepository ledger();

    /** Stored Stripe events, bound to this store's transaction when this store is one. */
    WebhookEventRepository webhookEvents();

    /** Holds on tokens, bound to this store's transaction when this store is one. */
    ReservationRepository reservations();

    /** Settings stored with the schema (policies every process applies alike). */
    SettingsRepository settings();

    /**
     * Runs {@code work} in one transaction.
     *
     * <ul>
     *   <li>When {@code work} returns, the transaction commits and its result is returned: every
     *       write of {@code work} takes effect together.</li>
     *   <li>When {@code work} throws, every write of {@code work} is rolled back and the exception
     *       is rethrown as it was (an implementation may only turn database failures into
     *       {@link dev.tokenbilling.error.StoreUnavailableException}).</li>
     *   <li>Until it commits, no other caller sees its writes; reads outside the transaction
     *       neither wait for it nor see them.</li>
     *   <li>Row locks taken inside are held until the transaction ends (commit or roll back).</li>
     *   <li>The store passed to {@code work} is bound to the transaction: use it, not this store,
     *       inside {@code work} (calls on this store run in transactions of their own). Calling
     *       {@code inTransaction} on the bound store joins the same transaction instead of starting
     *       one: the joined work sees the outer writes, and commits or rolls back with them.</li>
     *   <li>A posting refused inside the transaction ({@link PostingResult.Duplicate}, also when it
     *       raced another transaction, or {@link PostingResult.Insufficient}) leaves the transaction
     *       usable and changes nothing in it.</li>
     * </ul>
     */
    <T> T inTransaction(Function<BillingStore, T> work);

    /**
     * Runs {@code work} as a part of this store's transaction that can fail alone (a savepoint), so
     * that a caller can record why work failed in the same transaction as what came before it.
     *
     * <ul>
     *   <li>When {@code work} returns, its writes stay in the transaction, to commit or roll back with it.</li>
     *   <li>When {@code work} throws, its writes (only those) are undone, locks it took may be kept,
     *       the transaction stays usable, and the exception is rethrown as it was (or, for a database
     *       failure, as {@link dev.tokenbilling.error.StoreUnavailableException}).</li>
     *   <li>On a store not bound to a transaction it is {@link #inTransaction}.</li>
     * </ul>
     */
    <T> T inSavepoint(Function<BillingStore, T> work);
}
