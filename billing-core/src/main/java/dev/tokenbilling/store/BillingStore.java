package dev.tokenbilling.store;

import java.util.function.Function;

/**
 * Where the library keeps its state. Each repository call outside {@link #inTransaction} is atomic
 * on its own; {@link #inTransaction} runs several calls as one transaction.
 */
public interface BillingStore {

    PackageRepository packages();

    PurchaseRepository purchases();

    LedgerRepository ledger();

    WebhookEventRepository webhookEvents();

    ReservationRepository reservations();

    /**
     * Runs {@code work} in one transaction and commits it when {@code work} returns, or rolls it
     * back when it throws. The store passed to {@code work} is bound to that transaction; calling
     * {@code inTransaction} on it again joins the same transaction.
     */
    <T> T inTransaction(Function<BillingStore, T> work);
}
