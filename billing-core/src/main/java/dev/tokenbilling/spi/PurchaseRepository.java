package dev.tokenbilling.spi;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Purchases and their guarded status transitions. */
public interface PurchaseRepository {

    Purchase insert(NewPurchase purchase);

    Optional<Purchase> findById(long id);

    Optional<Purchase> findByPaymentIntentId(String paymentIntentId);

    /** Purchases matching the query, newest first. */
    List<Purchase> find(PurchaseQuery query);

    /** Stores the PaymentIntent created for the purchase; false if it already has one. */
    boolean attachPaymentIntent(long purchaseId, String paymentIntentId, Instant at);

    /**
     * Moves the purchase to {@code target} if and only if its current status is one of
     * {@code target.allowedSources()}, in one guarded update. Returns the updated purchase when this
     * call made the transition, empty when the purchase was elsewhere (or absent). Only the caller
     * that gets a purchase back may write the ledger entry that goes with the transition.
     */
    Optional<Purchase> transition(long purchaseId, PurchaseStatus target, Optional<String> failureCode,
            Optional<String> failureMessage, Instant at);
}
