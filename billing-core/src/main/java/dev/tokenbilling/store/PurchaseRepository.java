package dev.tokenbilling.store;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseReversal;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Purchases and their guarded status transitions. Every write is one atomic update of the
 * purchase row and waits for the row lock of {@link #findByIdForUpdate} held by another
 * transaction; {@link #complete} and {@link #transition} are guarded by the current status, so that
 * of racing callers exactly one makes the move. Lookups are not scoped to a user.
 */
public interface PurchaseRepository {

    /**
     * Stores a new purchase in {@link PurchaseStatus#PENDING}, created and updated at
     * {@code purchase.createdAt()}, without PaymentIntent, charge, failure, refunds or disputes,
     * and returns it with its new id.
     */
    Purchase insert(NewPurchase purchase);

    /** The purchase with this id; empty for an unknown id. */
    Optional<Purchase> findById(long id);

    /** The purchase this PaymentIntent was attached to; empty when none. */
    Optional<Purchase> findByPaymentIntentId(String paymentIntentId);

    /**
     * The purchase paid by this Stripe charge, as recorded by {@link #attachCharge} or
     * {@link #complete} (disputes name the charge, not always the PaymentIntent); empty when none.
     */
    Optional<Purchase> findByChargeId(String chargeId);

    /**
     * Remembers the charge that paid the purchase, replacing a charge recorded before, whatever the
     * purchase's status. An unknown id changes nothing.
     */
    void attachCharge(long purchaseId, String chargeId, Instant at);

    /**
     * How many purchases of all users are still open ({@link PurchaseStatus#OPEN}: payment may yet
     * succeed) and were created strictly before {@code createdBefore}.
     */
    long countOpen(Instant createdBefore);

    /** How many of the user's purchases are still open ({@link PurchaseStatus#OPEN}), whatever their age. */
    long countOpen(UserId userId);

    /**
     * Purchases matching the query, newest first (creation time descending, then id descending), at
     * most {@code query.limit()}: in any of its statuses (every status when none given), of its
     * user, created strictly before its {@code createdBefore}.
     */
    List<Purchase> find(PurchaseQuery query);

    /**
     * Stores the PaymentIntent created for the purchase if it has none yet: true. False, changing
     * nothing, when it has one already (even the same one), when another purchase of any user has
     * this PaymentIntent (a PaymentIntent belongs to one purchase, which {@link #findByPaymentIntentId}
     * relies on), or when the id is unknown; of racing calls on one purchase exactly one gets true.
     */
    boolean attachPaymentIntent(long purchaseId, String paymentIntentId, Instant at);

    /**
     * Like {@link #findById}, and locks the purchase row until the enclosing transaction ends:
     * another transaction's {@code ...ForUpdate} read and every write of that purchase wait until
     * then, and see what this one committed; {@link #leaseStuck} skips it. Outside a transaction the
     * lock ends with the call. Empty, locking nothing, for an unknown id.
     */
    Optional<Purchase> findByIdForUpdate(long id);

    /**
     * Like {@link #findByPaymentIntentId}, and locks the purchase row until the enclosing
     * transaction ends, exactly as {@link #findByIdForUpdate} does. Empty, locking nothing, when no
     * purchase has this PaymentIntent.
     */
    Optional<Purchase> findByPaymentIntentIdForUpdate(String paymentIntentId);

    /**
     * Moves an open ({@link PurchaseStatus#OPEN}) or canceled purchase (its payment succeeded after the cancel) to {@link PurchaseStatus#COMPLETED}, in
     * one guarded update that also records {@code chargeId} when given (keeping the recorded charge
     * when empty), sets the completion time to {@code at} unless one was recorded, and clears the
     * failure code and message. Returns the completed purchase only to the one caller whose update
     * made the move; every other caller (a repeat, a racing webhook or reconciler, a purchase that
     * is not open, an unknown id) gets empty, changes nothing and must credit nothing. A caller
     * racing an uncommitted move waits for it: it gets empty once that move commits, and makes the
     * move itself if that one rolls back.
     */
    Optional<Purchase> complete(long purchaseId, Optional<String> chargeId, Instant at);

    /**
     * Moves the purchase to {@code target} if and only if its current status is one of {@code from},
     * in one guarded update. Returns the updated purchase when this call made the transition, empty
     * (changing nothing) when the purchase was elsewhere (or absent); of racing callers exactly one
     * gets it. Only the caller that gets a purchase back may write the ledger entry that goes with
     * the transition. A failure code and message are stored when given and cleared otherwise; moving
     * to {@link PurchaseStatus#COMPLETED} sets the completion time to {@code at} unless one was
     * recorded (it is never cleared).
     */
    Optional<Purchase> transition(
            long purchaseId,
            Set<PurchaseStatus> from,
            PurchaseStatus target,
            Optional<String> failureCode,
            Optional<String> failureMessage,
            Instant at);

    /**
     * Records refund and dispute progress: stores the status and the cumulative figures as given,
     * unguarded, and returns the updated purchase. The caller holds the row lock
     * ({@link #findByIdForUpdate}), decided the figures under it, and writes the matching ledger
     * entries in the same transaction.
     *
     * @throws RuntimeException for an unknown id
     */
    Purchase recordReversal(
            long purchaseId,
            PurchaseStatus status,
            long amountRefundedMinor,
            long tokensReversed,
            long reversalShortfall,
            long tokensDisputed,
            Instant at);

    /**
     * Leases up to {@code limit} open purchases ({@link PurchaseStatus#OPEN}) created strictly
     * before {@code createdBefore} whose next check is due (never leased, or due at or before
     * {@code now}), oldest first, and returns them (their status unchanged). A lease moves the
     * purchase's next check to {@code now + min(backoffMax, backoffBase × 2^n)}, {@code n} being how
     * often it was leased before: no lease returns it again until then. Concurrent reconcilers never
     * take the same one: rows locked by another transaction (a lease not yet committed, a
     * {@link #findByIdForUpdate}) are skipped, never waited for ({@code FOR UPDATE SKIP LOCKED}).
     */
    List<Purchase> leaseStuck(
            Instant createdBefore,
            Instant now,
            int limit,
            java.time.Duration backoffBase,
            java.time.Duration backoffMax);

    /** The user's refund or dispute with this Stripe id; empty when never recorded (or another user's). */
    Optional<PurchaseReversal> findReversal(UserId userId, String stripeId);

    /** The refunds and disputes recorded for the user's purchase, oldest first; empty for another user's purchase. */
    List<PurchaseReversal> reversals(UserId userId, long purchaseId);

    /**
     * Records a refund or dispute by its Stripe id, replacing what was recorded for that id. The
     * caller holds the purchase's row lock ({@link #findByIdForUpdate}) and writes the ledger entries
     * that go with it in the same transaction.
     */
    void saveReversal(PurchaseReversal reversal);
}
