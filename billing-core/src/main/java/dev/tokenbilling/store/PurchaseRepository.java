package dev.tokenbilling.store;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Purchases and their guarded status transitions. */
public interface PurchaseRepository {

    Purchase insert(NewPurchase purchase);

    Optional<Purchase> findById(long id);

    Optional<Purchase> findByPaymentIntentId(String paymentIntentId);

    /** The purchase paid by this Stripe charge (disputes name the charge, not always the PaymentIntent). */
    Optional<Purchase> findByChargeId(String chargeId);

    /** Remembers the charge that paid the purchase. */
    void attachCharge(long purchaseId, String chargeId, Instant at);

    /** How many purchases are still open (payment may yet succeed) and were created before {@code createdBefore}. */
    long countOpen(Instant createdBefore);

    /** How many of the user's purchases are still open ({@link PurchaseStatus#OPEN}). */
    long countOpen(UserId userId);

    /** Purchases matching the query, newest first. */
    List<Purchase> find(PurchaseQuery query);

    /** Stores the PaymentIntent created for the purchase; false if it already has one. */
    boolean attachPaymentIntent(long purchaseId, String paymentIntentId, Instant at);

    /** Like {@link #findById} but locks the row until the transaction ends. */
    Optional<Purchase> findByIdForUpdate(long id);

    /** Like {@link #findByPaymentIntentId} but locks the row until the transaction ends. */
    Optional<Purchase> findByPaymentIntentIdForUpdate(String paymentIntentId);

    /**
     * Moves an open purchase ({@link PurchaseStatus#OPEN}) to {@link PurchaseStatus#COMPLETED} and
     * records the charge that paid it, in one guarded update: returns the completed purchase only to
     * the one caller whose update made the move; every other caller (a repeat, a racing webhook or
     * reconciler) gets empty and must credit nothing.
     */
    Optional<Purchase> complete(long purchaseId, Optional<String> chargeId, Instant at);

    /**
     * Moves the purchase to {@code target} if and only if its current status is one of {@code from},
     * in one guarded update. Returns the updated purchase when this call made the transition, empty
     * when the purchase was elsewhere (or absent). Only the caller that gets a purchase back may
     * write the ledger entry that goes with the transition. A failure code and message are stored
     * when given and cleared otherwise.
     */
    Optional<Purchase> transition(long purchaseId, Set<PurchaseStatus> from, PurchaseStatus target, Optional<String> failureCode,
            Optional<String> failureMessage, Instant at);

    /**
     * Records refund and dispute progress. The caller holds the row lock ({@link #findByIdForUpdate})
     * and writes the matching ledger entries in the same transaction.
     */
    Purchase recordReversal(long purchaseId, PurchaseStatus status, long amountRefundedMinor, long tokensReversed,
            long reversalShortfall, long tokensDisputed, Instant at);

    /**
     * Leases up to {@code limit} open purchases created before {@code createdBefore} whose next check
     * is due, so that concurrent reconcilers never take the same one ({@code FOR UPDATE SKIP LOCKED}).
     * Each leased purchase's next check moves back exponentially from {@code backoffBase} up to
     * {@code backoffMax}.
     */
    List<Purchase> leaseStuck(Instant createdBefore, Instant now, int limit, java.time.Duration backoffBase,
            java.time.Duration backoffMax);
}
